from .certification import Certification, CertificationEvent
from .solutions import Partner, Solution, SolutionVersion

__all__ = ["Certification", "CertificationEvent", "Partner", "Solution", "SolutionVersion"]
