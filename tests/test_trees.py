"""The tree model read from LightGBM's text format predicts what LightGBM itself predicts."""

import numpy as np
import pytest

from cableqa.trees import TreeModel

lightgbm = pytest.importorskip("lightgbm", reason="LightGBM (the test extra) fits the model to compare with")


@pytest.fixture(scope="module")
def fitted():
    """A small lambdarank model over four features, one of them with missing values."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(600, 4))
    x[rng.random(600) < 0.1, 2] = np.nan
    relevance = (x[:, 0] + 0.5 * np.nan_to_num(x[:, 2]) - 0.3 * x[:, 1] > 0.8).astype(int)
    data = lightgbm.Dataset(x, relevance, group=[20] * 30, feature_name=["a", "b", "c", "d"])
    params = {"objective": "lambdarank", "num_leaves": 7, "min_data_in_leaf": 5, "verbose": -1, "seed": 1}
    booster = lightgbm.train(params, data, num_boost_round=25)
    return booster, TreeModel.from_text(booster.model_to_string()), rng.normal(size=(200, 4))


def test_predictions_match_lightgbm(fitted):
    booster, model, x = fitted
    x[::7, 2] = np.nan
    assert model.feature_names == ("a", "b", "c", "d")
    assert np.allclose(model.predict(x), booster.predict(x), atol=1e-9)


def test_contributions_add_up_to_the_prediction(fitted):
    booster, model, x = fitted
    for row in x[:20]:
        mean, contributions = model.contributions(row)
        assert mean + contributions.sum() == pytest.approx(model.predict(row[None])[0], abs=1e-9)
    _, contributions = model.contributions(x[0])
    assert abs(contributions[0]) > 0  # the feature the relevance depends on most moves the score
