from app.ranking import rank, similar

MODEL = {
    "mug": {"coffee": 5, "tea": 2, "spoon": 1},
    "coffee": {"mug": 5, "grinder": 3},
    "tea": {"mug": 2, "kettle": 4},
}


def test_rank_excludes_owned_items():
    assert rank(MODEL, ["mug", "coffee"]) == ["grinder", "tea", "spoon"]


def test_rank_respects_limit():
    assert rank(MODEL, ["mug"], limit=1) == ["coffee"]


def test_similar_unknown_item_is_empty():
    assert similar(MODEL, "bicycle") == []
