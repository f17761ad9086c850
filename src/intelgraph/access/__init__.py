"""Access: the one policy decision point every read, export and admin action goes through.

``AccessControl`` turns a principal and a request (purpose, authority) into the
SQL scope reads push down and into Cedar decisions on properties and actions,
and audits what must be audited into the ledger. ``GuardedReads`` is the store's
read API behind it; ``Administration`` the guarded user, token and authority
management.
"""

from intelgraph.access.admin import Administration
from intelgraph.access.audit import Auditor
from intelgraph.access.control import AccessControl
from intelgraph.access.reads import GuardedReads

__all__ = ["AccessControl", "Administration", "Auditor", "GuardedReads"]
