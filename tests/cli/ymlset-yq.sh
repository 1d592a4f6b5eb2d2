#!/bin/sh
# ymlset-yq.sh: ymlset against the recorded answers of yq v4.53.6 on the
# corpus in tests/data/yq (one TAP test a case; the cases listed in
# tests/data/yq/pending are TODO). One python process drives every case.
# Arguments, if any, pick groups or cases: tests/cli/ymlset-yq.sh traverse
# assign/create-index. YQCASE_VERBOSE=1 shows why pending cases fail.
top=$(cd "$(dirname "$0")/../.." && pwd)
exec python3 "$top/tests/lib/yqcase.py" run "$top/bin/ymlset" "$@"
