"""Analysis of valid plans: readiness rules (lint), go/no-go per phase, scores.

Everything here is pure: plans, the directory and the build date in, findings
and derived states out.
"""
