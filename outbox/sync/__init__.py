"""The pull-sync: Openprovider leads expiry and status, WHMCS leads auto-renew and ID protection.

``run_sync`` is the one entry point: the scheduler, ``opbridge sync run`` and the admin API
all call it.
"""
from outbox.sync.records import PeriodAlreadyRun
from outbox.sync.run import REQUESTED_RUN_KEY, SyncBusy, run_sync

__all__ = ["REQUESTED_RUN_KEY", "PeriodAlreadyRun", "SyncBusy", "run_sync"]
