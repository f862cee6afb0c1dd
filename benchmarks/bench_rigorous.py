"""Rigorous re-check of every committed witness (exact SymPy replays and ball-arithmetic replays, see
landscape.rigorous).  Goal (issue on rigorous witnesses): all committed witnesses together in <= 30 s on 2 cores.
One round replays every file from a cold start of the replay functions (imports already done); the per-witness
times and levels are kept in extra_info."""

from __future__ import annotations

from landscape.rigorous import committed, replay

GOAL_SECONDS = 30.0


def replay_all() -> list:
    return [replay(p) for p in committed()]


def test_bench_rigorous_recheck_of_all_committed_witnesses(benchmark):
    benchmark.group = "rigorous re-check of the committed witnesses"
    results = benchmark.pedantic(replay_all, rounds=3, iterations=1, warmup_rounds=1)
    benchmark.extra_info["witnesses"] = len(results)
    benchmark.extra_info["goal_seconds"] = GOAL_SECONDS
    benchmark.extra_info["per_witness"] = {
        r.witness: {"level": r.level, "seconds": round(r.seconds, 4)} for r in results
    }
    benchmark.extra_info["all_proved"] = all(r.proved for r in results)
