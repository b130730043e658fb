#!/bin/sh
# Print the path of a Python 3.12 or newer for `make test-mesa35` (Mesa 3.5 needs Python >= 3.12; the project's
# .venv may be Python 3.11, which gets Mesa 3.3): $PYTHON_NEW if set, else python3.12 or python3.13 on PATH, else one
# of pyenv's versions. Exit 1, printing nothing, when there is none. (pyenv's shims are on PATH for every version
# but fail for one that is not selected: each candidate is run, not only found.)
for p in ${PYTHON_NEW:-} python3.12 python3.13 \
    "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3; do
    if "$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
        command -v "$p"
        exit 0
    fi
done
exit 1
