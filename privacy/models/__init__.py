from privacy.models.data_copies import DataCopy, DataCopyState
from privacy.models.erasure import ErasureReason, ErasureRequest, ErasureState, InactivityWarning

__all__ = [
    "DataCopy",
    "DataCopyState",
    "ErasureReason",
    "ErasureRequest",
    "ErasureState",
    "InactivityWarning",
]
