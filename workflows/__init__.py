"""The case workflow as data, and the engine that binds it to cases.

This package imports nothing from the Flask app: the definition is plain data, the engine a
thin layer over ``transitions``. The app supplies the facts the guards ask about through
:class:`workflows.guards.CaseFacts`.
"""
from workflows.states import STAGES, CaseState, Stage

__all__ = ["CaseState", "Stage", "STAGES"]
