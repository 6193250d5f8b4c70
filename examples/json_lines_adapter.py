#!/usr/bin/env python3
"""json_lines_adapter.py: statusproof's JSON-lines protocol in front of an implementation."""
import json
import sys

sys.path.insert(0, "examples")
from rescue_reference import RescueSession  # your implementation here

session = RescueSession()
for line in sys.stdin:
    request = json.loads(line)
    if request["op"] == "reset":
        status = session.reset(request["entry"], request["cause"], request["settings"])
    elif request["op"] == "go":
        status = session.go(request["status"], request["cause"])
    else:  # "wait"
        status = session.wait(request["seconds"])
    print(json.dumps({"id": request["id"], "status": status}), flush=True)
