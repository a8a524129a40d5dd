"""Quantus' own deletion metric (quantus.PixelFlipping) timed on the CPU, for
tools/bench_metrics_cpu.sh: the PyTorch peer's model definition (shared/peer/peer_scaat.py,
random init, BN in eval mode), N(0, 1) inputs, vanilla-gradient maps (the peer's saliency())
for random labels, y = the class predicted on the clean x, softmax probabilities,
perturb_baseline 0, features_in_step 8 (784 pixels -> 98 steps), the AUC per sample
(return_auc_per_sample). The maps are computed before the clock starts; each timed call is what
a Quantus user runs: one sample per call (--per-call 1), after one untimed call. Prints one
JSON line with samples/s and auc_mean = Quantus' AUC / steps (its np.trapz has dx = 1 over
points 1..S, so this is close to, not equal to, the engine's and the peer's area on [0, 1]);
--per-call N also times calls of N samples for comparison.

  python3 tools/quantus_pixelflip_cpu.py --threads 2 --images 8
"""
import argparse, importlib.util, json, os, time, warnings

import numpy as np
import torch

if not hasattr(np, "trapz"):  # Quantus 0.6's AUC calls np.trapz, removed in NumPy 2.4
    np.trapz = np.trapezoid   # the same function under its new name
import quantus  # noqa: E402


def load_peer(path):
    spec = importlib.util.spec_from_file_location("peer_scaat", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def timed_calls(metric, model, x, y, a, per_call):
    """Seconds for every sample of x through metric, per_call samples a call, and the AUCs."""
    aucs = []
    t0 = time.perf_counter()
    for i in range(0, len(x), per_call):
        aucs += metric(model=model, x_batch=x[i:i + per_call], y_batch=y[i:i + per_call],
                       a_batch=a[i:i + per_call], device="cpu", softmax=True,
                       batch_size=per_call)
    return time.perf_counter() - t0, aucs


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer", default=os.environ.get(
        "SCAAT_PEER", os.path.join(here, "..", "..", "shared", "peer", "peer_scaat.py")))
    ap.add_argument("--model", default="resnet8")
    ap.add_argument("--channels", type=int, default=1)
    ap.add_argument("--size", type=int, default=28)
    ap.add_argument("--images", type=int, default=8)
    ap.add_argument("--features-in-step", type=int, default=8)
    ap.add_argument("--per-call", type=int, default=0,
                    help="also time calls of this many samples (0: only one per call)")
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    peer = load_peer(a.peer)
    torch.manual_seed(0)
    model = peer.make_model(a.model, 10, a.channels).eval()
    x = torch.randn(a.images, a.channels, a.size, a.size)
    labels = torch.randint(0, 10, (a.images,))
    maps = peer.saliency(model, x, labels).detach().numpy()
    with torch.no_grad():
        pred = model(x).argmax(1).numpy()
    xb = x.numpy()
    metric = quantus.PixelFlipping(features_in_step=a.features_in_step, perturb_baseline=0.0,
                                   return_auc_per_sample=True, disable_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        timed_calls(metric, model, xb[:1], pred[:1], maps[:1], 1)  # warm-up
        seconds, aucs = timed_calls(metric, model, xb, pred, maps, 1)
        batched = timed_calls(metric, model, xb, pred, maps, a.per_call)[0] if a.per_call else None
    steps = -(-a.size * a.size // a.features_in_step)
    r = dict(peer="quantus", quantus=quantus.__version__, torch=torch.__version__, device="cpu",
             threads=torch.get_num_threads(), model=a.model, size=a.size, channels=a.channels,
             images=a.images, what="pixel_flipping_auc", steps=steps, per_call=1,
             samples_per_s=round(a.images / seconds, 2),
             auc_mean=round(float(np.mean(aucs)) / steps, 4))
    if batched is not None:
        r[f"samples_per_s_{a.per_call}_per_call"] = round(a.images / batched, 2)
    print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
