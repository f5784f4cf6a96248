"""The demo customer simulator: scripted Chinese conversations cast onto the demo store's real customers.

`load_scripts()` reads resources/demo/conversations.json; `Simulator(store).plan(n)` lays conversations out as
timed `SimEvent`s; sim/runner.py publishes them to the gateway like a real platform adapter would.
"""

from assist_app.sim.planner import FillError, SimEvent, Simulator
from assist_app.sim.scripts import Script, ScriptError, ScriptTurn, load_scripts

__all__ = ["FillError", "Script", "ScriptError", "ScriptTurn", "SimEvent", "Simulator", "load_scripts"]
