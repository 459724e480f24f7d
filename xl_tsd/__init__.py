"""xl_tsd: damages for trade-secret infringement under PRC law.

One public function per method; each is also an Excel function under its
UPPER_CASE name (see :data:`xl_tsd.registry.FUNCTIONS`). Money in yuan, rates
and shares as decimals, dates as real dates or Excel serial numbers.
"""
from ._version import __version__
from .errors import TsdError, TsdMissingError, TsdNumError, TsdValueError
from .contribution import (ahp_cr, ahp_weights, damages_base, effective_contrib, points_share,
                           profit_split, royalty_to_split, tech_contrib_rate)
from .measures import (component_profit_ok, income_value, infringer_gain, license_fee_loss,
                       lost_profit, lost_profit_step, remedial_share)
from .punitive import award_total, punitive_available, punitive_total
from .criminal import criminal_loss, criminal_tier, criminal_tier_applied, illegal_gains
from .meta import tsd_explain, tsd_fingerprint, tsd_iserror, tsd_rule, tsd_rule_info, tsd_version
from .registry import FUNCTIONS

__all__ = ["__version__", "FUNCTIONS", "TsdError", "TsdValueError", "TsdNumError", "TsdMissingError",
           *(spec.python_name for spec in FUNCTIONS.values())]
