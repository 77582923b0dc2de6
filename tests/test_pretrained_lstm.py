"""aigc_tl.modalities.text.pretrained_lstm: textgenrnn's packaged LSTM in PyTorch."""

import codecs
import contextlib
import importlib.util
import io
import math

import numpy as np
import pytest
import torch
from torch import nn

from aigc_tl import transfer as tl
from aigc_tl import zoo
from aigc_tl.data import MissingResource
from aigc_tl.modalities.text import pretrained_lstm as pl

needs_textgenrnn = pytest.mark.skipif(
    importlib.util.find_spec("textgenrnn") is None or importlib.util.find_spec("h5py") is None,
    reason=f"run `{pl.TEXTGENRNN_INSTALL}` (CI does)",
)


@pytest.fixture(scope="module")
def reddit():
    return pl.textgenrnn_reddit()


def _zen() -> list[str]:
    with contextlib.redirect_stdout(io.StringIO()):
        import this
    return codecs.decode(this.s, "rot13").splitlines()[2:]


# ---------- the files, and failing fast without them ----------

def test_missing_package_names_the_install_command(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "textgenrnn" else real(n, *a))
    with pytest.raises(MissingResource, match="pip install --no-deps textgenrnn==2.0.0 h5py"):
        pl.textgenrnn_files()
    with pytest.raises(MissingResource):
        zoo.load("textgenrnn-reddit")


@needs_textgenrnn
def test_weights_file_is_a_cudnnlstm_textgenrnn():
    w = pl.read_keras_weights(pl.textgenrnn_files()[0])
    assert list(w)[:2] == ["embedding/embeddings", "rnn_1/kernel"]
    assert w["rnn_1/kernel"].shape == (100, 512) and w["rnn_2/bias"].shape == (1024,)
    assert w["output/kernel"].shape == (356, 465)
    assert sum(v.numel() for v in w.values()) == 462_717
    assert sum(p.numel() for p in pl.TextgenRNN().parameters()) == 462_717


# ---------- the tokenizer and the alphabet ----------

def _vocab():
    return {"a": 1, "b": 2, " ": 3, "s": 4, "<s>": 5}


def test_tokenizer_round_trip_and_line_breaks():
    tok = pl.TextgenrnnTokenizer(_vocab())
    ids = tok.encode("ab s\nb")
    assert ids.tolist() == [1, 2, 3, 4, 5, 2] and tok.decode(ids) == "ab s\nb"
    assert len(tok) == 6 and tok.chars == ["a", "b", " ", "s"] and tok.decode([0, 1]) == "a"
    with pytest.raises(ValueError, match="not in the vocabulary"):
        tok.encode("abc")
    with pytest.raises(ValueError, match="<s>"):
        pl.TextgenrnnTokenizer({"a": 1})
    with pytest.raises(ValueError, match="1..len"):
        pl.TextgenrnnTokenizer({"a": 0, "<s>": 1})


def test_fold_to_vocab():
    tok = pl.TextgenrnnTokenizer(_vocab())
    text, swaps = pl.fold_to_vocab("ſa\tb☙\n", tok)
    assert text == "sa b\n" and swaps == {"\t": " ", "ſ": "s", "☙": ""}
    with pytest.raises(TypeError):
        pl.fold_to_vocab(3, tok)
    with pytest.raises(ValueError):
        pl.fold_to_vocab("", tok)


# ---------- the network and the conversion ----------

def test_network_shapes_init_and_bad_input():
    torch.manual_seed(0)
    cfg = pl.TextgenrnnConfig(vocab_size=7, dim_embeddings=4, rnn_size=3)
    net = pl.TextgenRNN(cfg)
    x = torch.randint(0, 7, (5, 9))
    assert net(x).shape == (5, 7) and net.features(x).shape == (5, 4 + 3 + 3)
    assert torch.equal(net.rnns[0].bias_hh_l0[3:6], torch.ones(3))  # forget gate
    assert net.rnns[0].bias_ih_l0.abs().sum() == 0
    with pytest.raises(TypeError, match="LongTensor"):
        net(x.float())
    with pytest.raises(ValueError, match=r"\[0, 7\)"):
        net(torch.full((1, 3), 7))
    fresh = tl.Source(net).fresh()
    assert type(fresh) is pl.TextgenRNN and not torch.equal(fresh.head.weight, net.head.weight)


def _keras_converts(K, R):
    "Keras' own CuDNNLSTM -> LSTM kernel conversion (_convert_rnn_weights), in NumPy."
    per_gate = lambda M, f: np.hstack([f(k) for k in np.hsplit(M, 4)])
    return per_gate(K, lambda k: k.T.reshape(k.shape, order="F")), per_gate(R, lambda k: k.T)


def test_cudnn_conversion_matches_keras_and_is_not_a_transpose():
    g = torch.Generator().manual_seed(0)
    D, H = 5, 3
    K, R, b = torch.randn(D, 4 * H, generator=g), torch.randn(H, 4 * H, generator=g), torch.randn(8 * H, generator=g)
    ours = pl.cudnn_lstm_to_torch(K, R, b)
    K_lstm, R_lstm = _keras_converts(K.numpy(), R.numpy())
    assert np.array_equal(ours["weight_ih_l0"].numpy(), K_lstm.T)
    assert np.array_equal(ours["weight_hh_l0"].numpy(), R_lstm.T)
    assert torch.equal(ours["bias_ih_l0"] + ours["bias_hh_l0"], b[: 4 * H] + b[4 * H :])
    assert not torch.equal(ours["weight_ih_l0"], K.T)
    plain = pl.keras_lstm_to_torch(K, R, b[: 4 * H])
    assert torch.equal(plain["weight_ih_l0"], K.T) and plain["bias_hh_l0"].abs().sum() == 0
    with pytest.raises(ValueError, match="bias"):
        pl.cudnn_lstm_to_torch(K, R, b[: 4 * H])
    with pytest.raises(ValueError, match="kernel"):
        pl.cudnn_lstm_to_torch(K[:, :5], R, b)


def test_lstm_reference_equals_nn_lstm():
    torch.manual_seed(0)
    lstm = nn.LSTM(4, 3, batch_first=True)
    x = torch.randn(2, 6, 4)
    with torch.no_grad():
        ref = pl.lstm_reference(x, *(p for _, p in lstm.named_parameters()))
        assert torch.allclose(lstm(x)[0], ref, atol=1e-6)


# ---------- windows, evaluation, sampling, data ----------

def test_document_windows_are_textgenrnn_examples():
    tok = pl.TextgenrnnTokenizer(_vocab())
    x, y = pl.document_windows(["ab", "s"], tok, max_length=3)
    assert x.tolist() == [[0, 0, 5], [0, 5, 1], [5, 1, 2], [0, 0, 5], [0, 5, 4]]
    assert y.tolist() == [1, 2, 5, 4, 5]
    with pytest.raises(TypeError, match="list of str"):
        pl.document_windows("ab", tok)


def test_windows_bpc_of_a_uniform_model():
    class Uniform(nn.Module):
        def forward(self, x):
            return torch.zeros(len(x), 8)

    x, y = torch.zeros(5, 3, dtype=torch.long), torch.arange(5)
    assert math.isclose(pl.windows_bpc(Uniform(), x, y, batch_size=2), 3.0, rel_tol=1e-6)


def test_generate_documents_never_pads_and_stops_at_the_end():
    torch.manual_seed(0)
    tok = pl.TextgenrnnTokenizer(_vocab())
    net = pl.TextgenRNN(pl.TextgenrnnConfig(vocab_size=6, dim_embeddings=4, rnn_size=3, max_length=5))
    a = pl.generate_documents(net, tok, 3, 20, 1.0, torch.Generator().manual_seed(1))
    b = pl.generate_documents(net, tok, 3, 20, 1.0, torch.Generator().manual_seed(1))
    assert a == b and len(a) == 3 and all(len(s) <= 20 and "\n" not in s for s in a)
    assert all(set(s) <= set("abs ") for s in a)
    with pytest.raises(ValueError):
        pl.generate_documents(net, tok, 0)


def test_document_sampler_draws_whole_lines_per_seed():
    tok = pl.TextgenrnnTokenizer(_vocab())
    text = "\n".join(["ab a", "b s", "sa", "a b b", "s s a"] * 20) + "\n"
    data = pl.DocumentSampler(text, tok, 30, max_length=4)
    x, y = data(torch.Generator().manual_seed(0))
    data(torch.Generator().manual_seed(0))
    assert data.drawn[0] == data.drawn[1] and len(data.drawn[0]) == 30
    assert x.shape == (len(y), 4) and (y == tok.meta_id).sum() == len(data.drawn[0].splitlines())


# ---------- the real weights: the port, the zoo, the headline effect ----------

@needs_textgenrnn
def test_port_is_right_and_the_plain_keras_reading_is_garbage(reddit):
    tok = reddit.tokenizer
    x, y = pl.document_windows(_zen()[:8], tok)
    right = pl.windows_bpc(reddit, x, y)
    keras = lambda K, R, b: pl.keras_lstm_to_torch(K, R, b[:512] + b[512:])
    weights = pl.read_keras_weights(pl.textgenrnn_files()[0])
    wrong = pl.windows_bpc(pl.load_keras_weights(pl.TextgenRNN(), weights, keras), x, y)
    assert right < 2.8 and wrong > math.log2(465) + 10
    ids = torch.cat([torch.tensor([tok.meta_id]), tok.encode("What is the best way t")])
    padded = torch.nn.functional.pad(ids, (40 - len(ids), 0))[None]  # as textgenrnn pads
    with torch.no_grad():
        assert tok.itos[int(reddit(padded).argmax())] == "o"


@needs_textgenrnn
def test_zoo_source(reddit):
    src = tl.source("textgenrnn-reddit")
    assert src.head == "head" and src.tokenizer.meta_id == 464 and len(src.tokenizer) == 465
    assert src.info["sha256"] == reddit.zoo_info["sha256"] and "Reddit" in src.info["data"]
    assert src.features(torch.zeros(1, 40, dtype=torch.long)).shape == (1, 356)
    with pytest.raises(ValueError, match="not trainable"):
        zoo.retrain("textgenrnn-reddit", mode="quick")


@needs_textgenrnn
def test_fine_tuning_beats_scratch_at_the_same_budget(reddit):
    "Headline effect on a small config: the Reddit start is far ahead of scratch."
    src = tl.Source(reddit, tokenizer=reddit.tokenizer, head="head")
    zen = _zen()
    train, held = "\n".join(zen[:12]) + "\n", zen[12:]
    x, y = pl.document_windows(held, reddit.tokenizer)
    data = pl.DocumentSampler(train, reddit.tokenizer, 200)
    before = reddit.head.weight.clone()
    out = {}
    for method, lr in ((tl.FineTune(), 3e-3), (tl.Scratch(), 3e-2)):
        r = tl.transfer(src, method, data, recipe=tl.Recipe(steps=6, batch_size=16, lr=lr, clip_grad=1.0),
                        evaluate=lambda m: pl.windows_bpc(m, x, y), seeds=(0,))
        out[method.name] = r.mean
    assert out["scratch"] > out["fine-tune"] + 1.5
    assert torch.equal(reddit.head.weight, before)  # the source is left untouched
