/**
 * The Dockerfile front end: text -> node tree (`parse`) -> stages of typed instructions
 * (`parseDockerfile`), and the word expansion instructions use (`ShellLex`).
 */
export { DockerfileError, formatSnippet, ShellWordError, withRange, type LineRange } from "./errors.ts";
export { parseGoDuration } from "./flags.ts";
export {
  chompHeredocContent,
  checkSupported,
  expandInstruction,
  parseDockerfile,
  parseInstruction,
  parseOnbuildTrigger,
  type AddInstruction,
  type ArgInstruction,
  type CmdInstruction,
  type CopyInstruction,
  type Dockerfile,
  type EntrypointInstruction,
  type EnvInstruction,
  type ExposeInstruction,
  type FromInstruction,
  type HealthcheckInstruction,
  type HealthConfig,
  type InlineFile,
  type Instruction,
  type KeyValuePair,
  type KeyValuePairOptional,
  type LabelInstruction,
  type MaintainerInstruction,
  type OnbuildInstruction,
  type RunInstruction,
  type ShellInstruction,
  type SourceContent,
  type Stage,
  type StopSignalInstruction,
  type UserInstruction,
  type VolumeInstruction,
  type WordExpander,
  type WorkdirInstruction,
} from "./instructions.ts";
export { dump, nodeValues, parse, type Directive, type Heredoc, type Node, type ParseResult, type ParseWarning } from "./parser.ts";
export { envFromList, ShellLex, type EnvGetter, type ProcessResult, type ShellLexOptions } from "./shell-lex.ts";
