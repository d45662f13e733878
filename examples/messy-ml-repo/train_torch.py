"""Train a small MLP on the churn features with PyTorch (experimental)."""
import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split


class MLP(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 1))

    def forward(self, x):
        return self.net(x)


def main():
    df = pd.read_csv("data/churn.csv")
    X = torch.tensor(df.drop(columns=["churn"]).to_numpy(), dtype=torch.float32)
    y = torch.tensor(df["churn"].to_numpy(), dtype=torch.float32)
    dataset = TensorDataset(X, y)
    n_val = len(dataset) // 5
    train_ds, val_ds = random_split(dataset, [len(dataset) - n_val, n_val])
    loader = DataLoader(train_ds, batch_size=64, shuffle=True)
    model = MLP(X.shape[1])
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-4, weight_decay=1e-5)
    loss_fn = nn.BCEWithLogitsLoss()
    for epoch in range(20):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb).squeeze(1), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.4f}")
    torch.save(model.state_dict(), "/mnt/models/churn_mlp.pt")


if __name__ == "__main__":
    main()
