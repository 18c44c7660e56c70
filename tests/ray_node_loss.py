"""Run in a subprocess by test_ray.py: compares on a Ray cluster (Ray's ``cluster_utils.Cluster``,
a head without CPUs and two 1-CPU worker nodes) that lose nodes while their trials run.

    python ray_node_loss.py OUT_DIR

First ``OUT_DIR/one`` loses one of its two busy nodes; then ``OUT_DIR/all`` loses the node left. Prints the two
exit codes as its last line. A subprocess, because a process holds one Ray connection and the
test session already has a local instance.
"""
import os
import sys
import threading
import time
from pathlib import Path

#: the comparison both phases run: 2 random-search trials of 20 slow evaluations, 2 at a time
ARGS = ["--quiet", "--set", "space=nasbench201", "--set", "objective=parallel_objectives:slow_by_hash",
        "--set", "budget=20", "--set", "seeds=2", "--set", "workers=2", "--set", "optimizers=[random]"]


def compare_losing(cluster, nodes: list, out: Path) -> int:
    """Run the comparison into ``out`` on ``cluster``; remove ``nodes`` once a trial is running."""
    from nasearch.cli import main as cli

    def remove_when_running():
        while not any(len(path.read_text().splitlines()) >= 3 for path in out.glob("*/seed*/history.jsonl")):
            time.sleep(0.05)
        for node in nodes:
            cluster.remove_node(node)

    threading.Thread(target=remove_when_running, daemon=True).start()
    return cli(["compare", *ARGS, "--executor", "ray", "--ray-address", cluster.address, "--out", str(out)])


def main(out: Path) -> list:
    import ray
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0})   # the head runs no task
    nodes = [cluster.add_node(num_cpus=1) for _ in range(2)]   # both busy with the 2 trials
    cluster.wait_for_nodes()
    try:
        return [compare_losing(cluster, nodes[:1], out / "one"), compare_losing(cluster, nodes[1:], out / "all")]
    finally:
        ray.shutdown()
        cluster.shutdown()


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    print(*main(Path(sys.argv[1])))
