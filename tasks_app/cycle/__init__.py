"""The 督办 cycle (above services and selectors): ``run.run_cycle(now)`` decides what is due
and writes each message into the notifications outbox; ``decisions/`` holds one module per
kind of message, ``context`` what a run loads once, ``urge`` the lead office's 一键催办."""
