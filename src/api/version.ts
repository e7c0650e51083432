/** The versions Berth's engine speaks: Docker 28.2's API, down to dockerd's minimum. */
export const ENGINE_VERSION = "28.2.2-berth";
export const API_VERSION = "1.50";
export const MIN_API_VERSION = "1.24";
