"""Mutation testing of the code whose bugs the suite once let through, with mutmut.

mutmut (PyPI, ``pip install mutmut``) changes one thing at a time in the modules
below (an operator, a constant, a comparison, a call argument), runs the tests that
reach the changed function, and counts the mutant as killed when a test fails. A
surviving mutant is either a missing test or an equivalent mutant (a change that
cannot alter behaviour, e.g. a message string); the survivors are printed for a
person to judge, and docs/RESULTS.md lists those judged equivalent.

The run happens in a temporary copy of the checkout (mutmut writes a ``mutants/``
folder and needs its own ``setup.cfg`` section), so the checkout is never touched.
It is a benchmark, not part of CI: it takes tens of minutes on two cores.

    python benchmarks/mutation_testing.py               # every module below
    python benchmarks/mutation_testing.py --only knn    # one module (a name below)
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: module -> the tests that exercise it (kept small: each mutant reruns the tests reaching it)
TARGETS = {
    "knn": ("nasearch/knn.py", ["tests/test_knn.py"]),
    "emprox": ("nasearch/predictors/emprox.py",
               ["tests/test_emprox.py::test_memory_holds_one_current_embedding_per_known_architecture",
                "tests/test_emprox.py::test_bad_options_are_rejected",
                "tests/test_emprox.py::test_emprox_ranks_better_than_chance_on_held_out",
                "tests/test_emprox.py::test_learned_metric_option",
                "tests/test_emprox.py::test_a_prediction_is_the_weighted_mean_of_exactly_k_neighbours",
                "tests/test_label_aware.py::test_each_predictor_option_bound_is_one_line_with_its_value",
                "tests/test_label_aware.py::test_every_bound_itself_is_allowed",
                "tests/test_emprox.py::test_the_learned_metric_lowers_its_leave_one_out_loss_from_ranks_alone",
                "tests/test_emprox.py::test_the_learned_map_is_what_the_knn_and_the_soft_surrogate_run_in",
                "tests/test_emprox.py::test_a_linear_residual_recovers_a_linear_function_of_the_embedding",
                "tests/test_emprox.py::test_a_warm_start_continues_the_last_fit_and_a_cold_one_starts_over",
                "tests/test_emprox.py::test_every_use_before_fit_says_to_fit_first",
                "tests/test_emprox.py::test_each_emprox_option_out_of_range_is_one_line",
                "tests/test_emprox.py::test_unlabeled_architectures_join_autoencoder_training",
                "tests/test_emprox.py::test_the_autoencoder_trains_on_the_known_and_the_unlabelled_architectures",
                "tests/test_emprox.py::test_each_seed_of_the_predictor_gives_its_own_autoencoder_and_the_same_seed_the_same",
                "tests/test_emprox.py::test_a_pretrained_emprox_takes_its_pretraining_settings_and_reports_them"]),
    "label_aware": ("nasearch/predictors/gin.py",
                    ["tests/test_label_aware.py::test_label_training_is_what_lifts_the_label_aware_emprox",
                     "tests/test_label_aware.py::test_gin_head_and_label_aware_knn_rank_alike",
                     "tests/test_label_aware.py::test_label_aware_embedding_is_unit_norm_and_soft_knn_is_differentiable",
                     "tests/test_label_aware.py::test_gin_options_are_checked",
                     "tests/test_label_aware.py::test_each_predictor_option_bound_is_one_line_with_its_value",
                     "tests/test_label_aware.py::test_every_bound_itself_is_allowed",
                     "tests/test_label_aware.py::test_zero_cost_inputs_are_logged_where_they_span_magnitudes_and_standardised_on_the_fit_set",
                     "tests/test_emprox.py::test_a_prediction_is_the_weighted_mean_of_exactly_k_neighbours",
                     "tests/test_label_aware.py::test_update_retrains_only_after_the_known_set_grows_by_a_fraction",
                     "tests/test_label_aware.py::test_gin_takes_zero_cost_inputs",
                     "tests/test_label_aware.py::test_gin_predictions_follow_a_shift_and_a_scale_of_the_labels",
                     "tests/test_label_aware.py::test_the_ensemble_loss_sums_each_members_squared_error_and_weighted_ranking_loss",
                     "tests/test_label_aware.py::test_each_member_is_trained_and_the_head_averages_them",
                     "tests/test_label_aware.py::test_label_aware_predictions_are_the_knn_of_its_embedding_and_the_soft_one_agrees",
                     "tests/test_label_aware.py::test_predicting_before_fit_says_to_fit_first",
                     "tests/test_label_aware.py::test_gin_options_reach_its_training",
                     "tests/test_label_aware.py::test_without_growth_update_keeps_the_members_and_with_one_more_architecture_retrains",
                     "tests/test_label_aware.py::test_zero_cost_inputs_are_standardised_on_the_fit_set_only_and_a_constant_one_is_zero",
                     "tests/test_label_aware.py::test_label_aware_soft_knn_takes_its_eps_and_gin_embeddings_are_float32"]),
    "run_lock": ("nasearch/runs/lock.py", ["tests/test_run_lock.py"]),
    "replay": ("nasearch/replay.py",
               ["tests/test_replay.py",
                "tests/test_resume_fixtures.py",
                "tests/test_facade.py::test_history_and_resume_through_the_facade",
                "tests/test_facade.py::test_out_of_order_tells_and_an_arch_in_flight_resume_exactly",
                "tests/test_facade.py::test_jobs_lost_at_stops_are_handed_out_again_first_and_resume_exactly",
                "tests/test_facade.py::test_a_requeued_evaluation_is_handed_out_again_and_a_damaged_requeue_line_stops_the_resume",
                "tests/test_facade.py::test_a_run_that_stopped_with_its_last_hand_out_in_flight_resumes_exactly",
                "tests/test_multi_fidelity.py::test_promotions_in_flight_when_a_run_stops_are_handed_out_again_first",
                "tests/test_multi_fidelity.py::test_a_killed_multi_fidelity_run_resumes_to_the_same_history",
                "tests/test_multi_fidelity.py::test_lost_promotions_and_new_jobs_are_requeued_promotions_first_and_resume_exactly"]),
}


def _copy_checkout(into: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, check=True,
                           capture_output=True, text=True).stdout.split()
    for name in files:
        source = REPO / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)


def run(name: str, keep: bool) -> dict:
    module, tests = TARGETS[name]
    work = Path(tempfile.mkdtemp(prefix=f"mutmut-{name}-"))
    _copy_checkout(work)
    (work / "setup.cfg").write_text(
        "[mutmut]\n"
        "source_paths = nasearch/\n"
        f"only_mutate = {module}\n"
        "also_copy =\n    search_spaces/\n    main.py\n"
        "pytest_add_cli_args_test_selection =\n" + "".join(f"    {t}\n" for t in tests) +
        "pytest_add_cli_args = -p no:cacheprovider -p no:xdist -p no:benchmark\n")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mutmut", "run"], cwd=work, capture_output=not keep)
    results = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=work,
                             capture_output=True, text=True).stdout
    counts: dict = {}
    survivors = []
    for line in results.splitlines():
        match = re.match(r"\s*(\S+): (\w[\w ]*)$", line)
        if match:
            counts[match.group(2)] = counts.get(match.group(2), 0) + 1
            if match.group(2) == "survived":
                diff = subprocess.run([sys.executable, "-m", "mutmut", "show", match.group(1)], cwd=work,
                                      capture_output=True, text=True).stdout
                survivors.append((match.group(1), diff))
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return {"module": module, "counts": counts, "survivors": survivors, "seconds": time.perf_counter() - start,
            "work": work}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=sorted(TARGETS), default=sorted(TARGETS))
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy and show mutmut's output")
    args = parser.parse_args(argv)
    if shutil.which("git") is None:
        print("git is needed to copy the checkout", file=sys.stderr)
        return 2
    try:
        import mutmut  # noqa: F401
    except ImportError:
        print("mutmut is not installed; pip install mutmut", file=sys.stderr)
        return 2
    rows = []
    for name in args.only:
        result = run(name, args.keep)
        rows.append(result)
        for mutant, diff in result["survivors"]:
            print(f"--- survived: {mutant}\n{diff}")
    print("| module | mutants | killed | survived | timeout | other | kill rate | wall (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        counts = row["counts"]
        total = sum(counts.values())
        killed = counts.get("killed", 0)
        survived = counts.get("survived", 0)
        timeout = counts.get("timeout", 0)
        other = total - killed - survived - timeout
        judged = killed + timeout + survived
        rate = f"{(killed + timeout) / judged:.1%}" if judged else "-"
        print(f"| {row['module']} | {total} | {killed} | {survived} | {timeout} | {other} | {rate} | "
              f"{row['seconds']:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
