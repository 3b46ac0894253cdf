"""The core's operations on a project, above storage and below the app and the command line.

``edits``: a reviewer's edits (AnnotationService), their change records and their inverses.
"""

from annotator.services.edits import AnnotationService, Change, ChangeKind, EditError, Editor, apply_inverse, reapply

__all__ = ["AnnotationService", "Change", "ChangeKind", "EditError", "Editor", "apply_inverse", "reapply"]
