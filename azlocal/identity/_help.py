"""Help for az identity: the entries are data, in _help.yaml beside this module (read only when shown)."""
from azlocal.core import helpdata

helpdata.register(__file__)
