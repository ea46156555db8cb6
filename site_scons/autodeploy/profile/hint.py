"""Where a wrong output comes from: the first layer whose output differs from the reference's.

The board reports a CRC-32 of every layer's output; the host computes the same over the
reference interpreter's intermediate tensors. Layer tags start with the .tflite operator index
("3_DEPTHWISE_CONV_2D"), which keys the reference's CRCs."""

from __future__ import annotations


def first_differing_layer(board_layers, reference_crcs: dict[int, int]) -> dict | None:
    """The first layer (in execution order) whose output CRC differs, or None if none does."""
    for position, stat in enumerate(board_layers):
        expected = reference_crcs.get(int(stat.tag.split("_", 1)[0]))
        if expected is not None and expected != stat.output_crc32:
            return {
                "layer": position,
                "tag": stat.tag,
                "board_crc32": f"{stat.output_crc32:#010x}",
                "reference_crc32": f"{expected:#010x}",
            }
    return None


def hint_text(hint: dict | None, reference_kind: str) -> str:
    if hint is None:
        return (
            f"every layer's output matches the {reference_kind} reference, so the difference "
            "arises after the last layer (output copy or transfer)"
        )
    return (
        f"first differing layer: {hint['layer']} ({hint['tag']}): output CRC-32 "
        f"{hint['board_crc32']} on the board, {hint['reference_crc32']} in the "
        f"{reference_kind} reference"
    )
