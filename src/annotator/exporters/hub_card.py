"""The Hugging Face dataset card (``README.md``) written beside an hf-bio export.

Its YAML header declares the features (``ner_tags`` as a ``ClassLabel`` with the tag names)
and which file is which split (``configs``: train, validation = our dev, test), so
``datasets.load_dataset(folder)`` gives named splits and tag names without any code. The
card is written only where no README.md is, or where an earlier export wrote one (its first
YAML comment marks it): a README.md of the user's is never replaced.
"""

from __future__ import annotations

import json
from pathlib import Path

from annotator.exporters.base import atomic_output

MARK = "# written by annotator export (hf-bio); replaced by the next one"
HUB_SPLITS = {"train": "train", "dev": "validation", "test": "test"}
_STRINGS = ("id", "document_id", "annotator", "status", "reason", "text")


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def hub_card_path(files: dict[str | None, Path]) -> Path:
    return next(iter(files.values())).parent / "README.md"


def write_hub_card(files: dict[str | None, Path], tag_names: list[str], labels: list[str],
                   card_name: str) -> Path | None:
    """Write README.md next to ``files`` (split or None -> data file); None when a user's README is there."""
    path = hub_card_path(files)
    if path.exists() and not path.read_text(encoding="utf-8", errors="replace").startswith("---\n" + MARK):
        return None
    lines = ["---", MARK, "configs:", "- config_name: default", "  data_files:"]
    for split, file in files.items():
        lines += [f"  - split: {HUB_SPLITS.get(split or 'train', split)}", f"    path: {_q(file.name)}"]
    lines += ["dataset_info:", "  features:"]
    lines += [f"  - name: {name}\n    dtype: string" for name in _STRINGS]
    lines += ["  - name: tokens", "    sequence: string",
              "  - name: offsets", "    sequence:", "      sequence: int64",
              "  - name: ner_tags", "    sequence:", "      class_label:", "        names:"]
    lines += [f"          '{i}': {_q(name)}" for i, name in enumerate(tag_names)]
    lines += ["task_categories:", "- token-classification", "---", "",
              "# Token classification data exported by annotator", "",
              "Load it with `datasets.load_dataset(\"<this folder>\")`: splits "
              + ", ".join(HUB_SPLITS.get(s or "train", str(s)) for s in files) + "; `ner_tags` are "
              "BIO tags whose names are `features[\"ner_tags\"].feature.names`.", "",
              f"Labels: {', '.join(labels)}. Each row holds `text` and each token's `[start, end)` `offsets` "
              "in it (Unicode code points). Counts, filters and the files' checksums are in "
              f"`{card_name}`.", ""]
    with atomic_output(path) as fh:
        fh.write("\n".join(lines).encode("utf-8"))
    return path
