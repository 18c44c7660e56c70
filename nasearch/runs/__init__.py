"""The run directory and its records.

* :mod:`.directory`: the one owner of a run directory's files (names, atomic writes, reads);
* :mod:`.trial`: one evaluation's record, a line of the history;
* :mod:`.history`: a run's append-only history and what follows from it (incumbent, front);
* :mod:`.summary`: the finished run's summary;
* :mod:`.options`: the optimizer options a run recorded, so a resume rebuilds them;
* :mod:`.budget`: the budget changes of an extended run;
* :mod:`.lock`: one writer per directory;
* :mod:`.listing`: the runs below a folder and their state.

The replay that drives a search through a recorded history is the search loop's
(:mod:`nasearch.replay`).
"""
