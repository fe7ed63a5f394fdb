# The paper's pendulum set-up trained in plain PyTorch: explicit Euler, S = 1, T = 0.04,
# 2 -> W -> W -> 2 tanh, orthogonal weights, zero biases, full-batch Adam at 0.01 decayed
# geometrically to 1e-5, the best of checkpoints every 1,000 iterations, float64.
# usage: torch_pendulum.py DATA_DIR OUT.pt [ITERATIONS=5000] [WIDTH=128]
# DATA_DIR/train.csv from `nimde data --system pendulum --points N --seed s --out DATA_DIR`.
import sys
import numpy as np
import torch
from torch import nn

data_dir, out = sys.argv[1], sys.argv[2]
iterations = int(sys.argv[3]) if len(sys.argv) > 3 else 5000
width = int(sys.argv[4]) if len(sys.argv) > 4 else 128
torch.manual_seed(0)
pairs = torch.tensor(np.loadtxt(f"{data_dir}/train.csv", delimiter=",", skiprows=2))  # "# T=..", header
x, y = pairs[:, :2], pairs[:, 2:]
T, S = 0.04, 1
net = nn.Sequential(nn.Linear(2, width), nn.Tanh(), nn.Linear(width, width), nn.Tanh(), nn.Linear(width, 2)).double()
for layer in net[::2]:
    nn.init.orthogonal_(layer.weight)
    nn.init.zeros_(layer.bias)
opt = torch.optim.Adam(net.parameters(), lr=0.01)
decay = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: 1000 ** (-k / iterations))
best = (float("inf"), None)
for k in range(iterations + 1):
    z = x
    for _ in range(S):  # S unrolled Euler steps of h = T/S
        z = z + T / S * net(z)
    loss = torch.mean((z - y) ** 2)
    if (k % 1000 == 0 or k == iterations) and loss.item() < best[0]:
        best = (loss.item(), {n: p.clone() for n, p in net.state_dict().items()})
    if k < iterations:
        opt.zero_grad()
        loss.backward()
        opt.step()
        decay.step()
net.load_state_dict(best[1])
torch.save(net, out)
print(f"best train loss {best[0]!r}")
