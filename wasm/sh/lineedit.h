/* A line editor for the interactive shell: editing keys, history, Tab completion. */
#ifndef LINEEDIT_H
#define LINEEDIT_H

typedef enum { LE_LINE, LE_EOF, LE_INTERRUPT } le_status;

/* Reads one line from fd 0, echoing to fd 1. *line is malloc'd, without the newline (LE_LINE).
   LE_EOF: Ctrl-D on an empty line or end of input. LE_INTERRUPT: Ctrl-C. */
le_status le_readline(const char *prompt, char **line);
void le_history_add(const char *line);

/* Candidates for the word under the cursor (is_command: it is in command position):
   a malloc'd NULL-terminated array of malloc'd strings; directories end in '/'. */
typedef char **(*le_completer)(const char *word, int is_command);
void le_set_completer(le_completer fn);

/* The shell's completer (complete.c). */
char **shell_completer(const char *word, int is_command);

#endif
