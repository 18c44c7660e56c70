"""Wall seconds per 100 evaluations on the NAS-Bench-301 surrogate, one search at a time.

    NASEARCH_THREADS=1 python benchmarks/nb301_cost.py [--budget 200] [--seeds 0 1] [--only LABEL ...]

Each search is built first (a search with the climb loads or pretrains its autoencoder
then), and only ``run()`` is timed, so pretraining is excluded. Prints a markdown row per
contender and seed: run it on an otherwise idle machine.
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nasearch import Search  # noqa: E402
from nasearch.objective import TabularObjective  # noqa: E402
from nasearch.registry import get_search_space  # noqa: E402

from local_ranking import LOCAL_MLP, LOCAL_WARM_MLP, as_measured  # noqa: E402  (the levers' MLPs, one copy)

#: (label, optimizer, options): the default's states before greedier tournaments and before aged parents, the
#: climb, the references and the levers; every row keeps the defaults it was measured with (the ranker alone,
#: local_ranking.as_measured)
MEASURED = [
    ("EmProx-NAO, tournaments of 10", "emprox_nao", {"sources": {"mutation": {"population": 30, "tournament": 10}}}),
    ("EmProx-NAO, parents from every told one", "emprox_nao", {"sources": {"mutation": {"population": 0}}}),
    ("EmProx-NAO climb", "emprox_nao", {"sources": {"ascent": {}, "mutation": {"population": 0}}}),
    ("RE", "evolution", {}), ("RE + EmProx screen", "evolution", {"screen": 10}), ("TPE", "tpe", {}),
    # the lever surrogate.local: a small MLP ensemble beside the ranker for the one-edit mutations,
    # retrained every round, or afresh only at a quarter's growth with 10 warm epochs in between
    ("EmProx-NAO, an MLP in the mutations' ranking", "emprox_nao",
     {"surrogate": {"name": "label_aware", "local": {"mlp": LOCAL_MLP}}}),
    ("EmProx-NAO, a warm MLP in the mutations' ranking", "emprox_nao",
     {"surrogate": {"name": "label_aware", "local": {"mlp": LOCAL_WARM_MLP}}}),
    # the warm MLP admitted only while it orders the search's new batches better (local_admission: earned)
    ("EmProx-NAO, a warm MLP once it earns its place", "emprox_nao",
     {"surrogate": {"name": "label_aware", "local": {"mlp": LOCAL_WARM_MLP}, "local_admission": "earned"}}),
    # the ranker's GIN trained on shuffled minibatches of 32 (surrogate.ranker.minibatch)
    ("EmProx-NAO, ranker minibatches of 32", "emprox_nao",
     {"surrogate": {"name": "label_aware", "ranker": {"minibatch": 32}}}),
    # the default before the warm MLP joined the mutations' ranking: the ranker alone
    ("EmProx-NAO, the ranker alone (the default before the warm MLP)", "emprox_nao", {}),
    # the default before its ranker went from 3 members to 2: the warm MLP admitted once sized, the 3-member ranker
    ("EmProx-NAO, the 3-member ranker (the default before the 2-member one)", "emprox_nao",
     {"surrogate": {"name": "label_aware", "local": {"mlp": LOCAL_WARM_MLP}, "local_admission": "sized"}})]
#: today's default first, then the measured rows, then the levers of today's default
CONTENDERS = [("EmProx-NAO (default)", "emprox_nao", {})] + [
    (label, name, as_measured(options) if name == "emprox_nao" else options) for label, name, options in MEASURED]
# a ranker of one GIN instead of two (docs/RESULTS.md, "And one member instead of two?")
CONTENDERS.append(("EmProx-NAO, the 1-member ranker", "emprox_nao", {"surrogate": {"ranker": {"members": 1}}}))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--budget", type=int, default=200, help="evaluations per search")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--only", nargs="+", choices=[label for label, _, _ in CONTENDERS], help="contenders to time")
    args = parser.parse_args(argv)
    from nasearch.threads import set_threads

    set_threads()
    space = get_search_space("darts")
    objective = TabularObjective(space, "nb301")
    budget = args.budget
    for seed in args.seeds:
        for label, name, options in CONTENDERS:
            if args.only and label not in args.only:
                continue
            search = Search(space, objective, name, budget, seed=seed, options=options)   # builds (and pretrains) first
            start = time.perf_counter()
            search.run()
            wall = time.perf_counter() - start
            print(f"| {label} | {seed} | {wall / budget * 100:.2f} |", flush=True)


if __name__ == "__main__":
    main()
