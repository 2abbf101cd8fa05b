"""
Runs many AWS CLI commands in one Python process, through the same entry point /usr/bin/aws
uses (awscli.clidriver), so the suite does not pay the CLI's start-up (seconds on a busy
machine) for each example. One JSON request per stdin line:
  {"argv": [...], "env": {...}, "cwd": "...", "stdout_file": optional path}
one JSON answer per stdout line: {"status": int, "stdout": str, "stderr": str}.
"""
import io
import json
import os
import sys
from contextlib import redirect_stderr, redirect_stdout

sys.path.insert(0, '/usr/lib/python3/dist-packages')
import awscli.clidriver  # noqa: E402

# awscli sets AWS_DATA_PATH when imported (its own models): keep it, drop every other AWS_ variable.
BASE_ENV = {k: v for k, v in os.environ.items() if not k.startswith('AWS_') or k == 'AWS_DATA_PATH'}
real_stdout = sys.stdout

for line in sys.stdin:
    req = json.loads(line)
    os.environ.clear()
    os.environ.update(BASE_ENV)
    os.environ.update(req.get('env', {}))
    os.chdir(req.get('cwd', '/'))
    out, err = io.StringIO(), io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            status = awscli.clidriver.create_clidriver().main(req['argv'])
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else 255
    except Exception as e:  # a crash of the CLI itself
        status = 255
        err.write('batch runner: %r\n' % (e,))
    if req.get('stdout_file'):
        with open(req['stdout_file'], 'w') as f:
            f.write(out.getvalue())
    real_stdout.write(json.dumps({'status': status, 'stdout': out.getvalue(), 'stderr': err.getvalue()}) + '\n')
    real_stdout.flush()
