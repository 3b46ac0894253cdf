"""A reviewer process for the concurrency test and benchmark: adds spans to one project.

    python pg_writer.py PROJECT ANNOTATOR N TAG DOC_ID

Waits for a line on stdin (so every writer starts at once), then adds N spans through
AnnotationService, each with the note "TAG-i", and prints one JSON line: spans added, errors
(with the first few messages) and the seconds each add took.
"""

from __future__ import annotations

import json
import sys
import time


def main(project: str, annotator: str, n: int, tag: str, doc_id: int) -> None:
    from annotator.services import AnnotationService
    from annotator.storage.repository import Repository

    repo, _ = Repository.open(project, create=False)
    svc = AnnotationService(repo, annotator)
    labels = ("claim", "mechanism", "intervention", "citation", "disclaimer")
    sys.stdin.readline()
    added, errors, times = 0, [], []
    for i in range(n):
        t0 = time.perf_counter()
        try:
            svc.add_span(doc_id, i % 40, i % 40 + 5, labels[i % 5], note=f"{tag}-{i}")
            added += 1
        except Exception as exc:  # counted and reported: the test wants none
            errors.append(f"{type(exc).__name__}: {exc}")
        times.append(time.perf_counter() - t0)
    repo.close()
    print(json.dumps({"added": added, "errors": len(errors), "messages": errors[:3], "times": times}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
