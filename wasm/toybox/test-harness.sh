# The functions toybox's own test files (tests/NAME.test in its source) call,
# written for Berth's POSIX sh: toybox's runner is bash. Each case prints one
# line the runner counts — "PASS: NAME", "FAIL: NAME" (then a diff) or
# "SKIP: NAME" — and the file's end prints "END". Set by the runner: C (the
# command under test), CMDNAME, FILES (toybox's tests/files), OPTIONFLAGS
# (":CFG_A:CFG_B:" as built) and the working directory (empty, writable).

SKIP=0
FAILCOUNT=0

# A case: "name" "command line" "expected stdout" "contents of ./input" "stdin".
# Arguments pass through printf %b, as toybox's echo -ne: escapes are expanded.
testing()
{
  NAME="$CMDNAME $1"
  [ -z "$1" ] && NAME=$2
  if [ $# -ne 5 ]
  then
    echo "FAIL: $NAME (the test has $# arguments, not 5)"
    return 0
  fi
  if [ "$SKIP" -gt 0 ]
  then
    echo "SKIP: $NAME"
    SKIP=$((SKIP - 1))
    return 0
  fi
  printf %b "$3" > expected
  if [ -n "$4" ]; then printf %b "$4" > input; else rm -f input; fi
  printf %b "$5" | eval "$2" > actual
  RETVAL=$?
  # As toybox's runner: a signal's death (or an odd status) shows in the output.
  [ $RETVAL -gt 128 ] && echo "exited with signal (or returned $RETVAL)" >> actual
  if diff -u${NOSPACE:+w} expected actual > diff-output
  then
    echo "PASS: $NAME"
  else
    FAILCOUNT=$((FAILCOUNT + 1))
    echo "FAIL: $NAME"
    echo "  command: $2"
    sed 's/^/  /' diff-output
  fi
  rm -f input expected actual diff-output
  return 0
}

# A case whose command line is the command under test and these arguments.
testcmd()
{
  X=$1
  [ -z "$X" ] && X="$CMDNAME $2"
  testing "$X" "\"$C\" $2" "$3" "$4" "$5"
}

# The cases after this run only when toybox was built with option $1.
optional()
{
  SKIP=0
  if [ -n "$OPTIONFLAGS" ]
  then
    case "$OPTIONFLAGS" in
      *":$1:"*) ;;
      *) SKIP=99999 ;;
    esac
  fi
}

# The next case runs only when this command line succeeds.
skipnot()
{
  eval "$@" > /dev/null 2>&1 || SKIP=$((SKIP + 1))
}

# The next case (this command line) is about toybox's own behaviour.
toyonly()
{
  case "$("$C" --version 2>/dev/null)" in
    toybox*|"This is not GNU"*) ;;
    *) [ "$SKIP" -eq 0 ] && SKIP=1 ;;
  esac
  "$@"
}

# Interactive cases need bash's coprocess plumbing (fifos, {FD}> redirections,
# read -t); they are counted as skipped, not run.
txpect()
{
  echo "SKIP: $CMDNAME $1 (interactive)"
}
