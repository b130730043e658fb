#!/bin/sh
# Print the path of a Python 3.12 or newer for `make test-mesa35` (Mesa 3.5 needs Python >= 3.12; the project's
# .venv may be Python 3.11, which gets Mesa 3.3). With $PYTHON_NEW set: that interpreter, or exit 1 with a message if
# it is not a Python >= 3.12. Else the first of python3.12, python3.13, python3.14 on PATH and pyenv's versions 3.12
# and newer; exit 1, printing nothing, when there is none. (pyenv's shims are on PATH for every version but fail for
# one that is not selected: each candidate is run, not only found.)
newer() {
    "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1
}
if [ -n "${PYTHON_NEW:-}" ]; then
    if newer "$PYTHON_NEW"; then
        command -v "$PYTHON_NEW"
        exit 0
    fi
    echo "PYTHON_NEW=$PYTHON_NEW is not a Python 3.12 or newer" >&2
    exit 1
fi
root="${PYENV_ROOT:-$HOME/.pyenv}"
for p in python3.12 python3.13 python3.14 "$root"/versions/3.1[2-9]*/bin/python3; do
    if newer "$p"; then
        command -v "$p"
        exit 0
    fi
done
exit 1
