"""L2-penalised logistic regression by Newton's method (IRLS), in numpy.

Minimises ``−loglik(β) + l2/2 · ‖w‖²`` (the intercept is not penalised). Each step solves the
Newton system with a Cholesky-free ``np.linalg.solve`` and halves the step while the objective
rises, so the path — and the result — is a deterministic function of the data.

The gradient, Hessian and log-likelihood at a given ``β`` are sums over rows:
:class:`NewtonTerms` collects them with ``add(X, y)`` / ``merge(other)`` so a Spark job can run
each Newton iteration as one distributed aggregate (``fit_newton`` takes the aggregate as a
callable).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import ErrorCode, ScorecardError


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _log1pexp(z: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, z)


@dataclass
class NewtonTerms:
    """Σ gradient, Σ Hessian and Σ negative log-likelihood at ``beta`` (intercept first)."""

    beta: np.ndarray
    grad: np.ndarray
    hess: np.ndarray
    nll: float = 0.0
    n: int = 0

    @classmethod
    def empty(cls, beta: np.ndarray) -> NewtonTerms:
        k = beta.size
        return cls(beta=beta, grad=np.zeros(k), hess=np.zeros((k, k)))

    def add(self, X: np.ndarray, y: np.ndarray) -> NewtonTerms:
        z = self.beta[0] + X @ self.beta[1:]
        p = _sigmoid(z)
        r = p - y
        w = p * (1.0 - p)
        self.grad[0] += r.sum()
        self.grad[1:] += X.T @ r
        sw = w.sum()
        xw = X.T @ w
        self.hess[0, 0] += sw
        self.hess[0, 1:] += xw
        self.hess[1:, 0] += xw
        self.hess[1:, 1:] += (X * w[:, None]).T @ X
        self.nll += float(np.sum(_log1pexp(z) - y * z))
        self.n += X.shape[0]
        return self

    def merge(self, other: NewtonTerms) -> NewtonTerms:
        if not np.array_equal(self.beta, other.beta):
            raise ValueError("cannot merge Newton terms computed at different coefficients")
        self.grad += other.grad
        self.hess += other.hess
        self.nll += other.nll
        self.n += other.n
        return self


def fit_newton(
    terms_at: Callable[[np.ndarray], NewtonTerms],
    n_features: int,
    *,
    l2: float,
    max_iter: int = 100,
    tol: float = 1e-9,
) -> tuple[np.ndarray, int]:
    """Newton/IRLS loop over an aggregate ``terms_at(beta)``; returns ``(beta, n_iter)``."""
    k = n_features + 1
    penalty = np.full(k, float(l2))
    penalty[0] = 0.0
    beta = np.zeros(k)
    terms = terms_at(beta)
    if terms.n == 0:
        raise ScorecardError(ErrorCode.TOO_FEW_ROWS, "no rows to fit the logistic regression on")
    # start the intercept at the log-odds of the mean so the first step is small
    rate = np.clip((terms.grad[0] * -1.0 + 0.5 * terms.n) / terms.n, 1e-9, 1 - 1e-9)
    beta[0] = np.log(rate / (1 - rate))
    terms = terms_at(beta)

    def objective(t: NewtonTerms) -> float:
        return t.nll + 0.5 * float(np.sum(penalty * t.beta**2))

    obj = objective(terms)
    for it in range(1, max_iter + 1):
        g = terms.grad + penalty * beta
        H = terms.hess + np.diag(penalty) + np.eye(k) * 1e-12
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(H, g, rcond=None)[0]
        t = 1.0
        while True:
            cand = beta - t * step
            cand_terms = terms_at(cand)
            cand_obj = objective(cand_terms)
            if cand_obj <= obj + 1e-12 * max(1.0, abs(obj)) or t < 1e-8:
                break
            t *= 0.5
        beta, terms, prev, obj = cand, cand_terms, obj, cand_obj
        if np.max(np.abs(t * step)) < tol or abs(prev - obj) <= tol * max(1.0, abs(obj)) * 1e-3:
            return beta, it
    return beta, max_iter


class LogisticRegressionL2:
    """sklearn-style L2 logistic regression (``coef_``, ``intercept_``, ``n_iter_``)."""

    def __init__(self, l2: float = 1.0, max_iter: int = 100, tol: float = 1e-9) -> None:
        self.l2 = l2
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X: np.ndarray, y: np.ndarray) -> LogisticRegressionL2:
        if not isinstance(self.l2, int | float) or self.l2 < 0:
            raise ScorecardError(ErrorCode.INVALID_PARAMETER, f"l2 must be >= 0, got {self.l2!r}")
        X = np.ascontiguousarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if X.ndim != 2 or X.shape[0] != y.shape[0]:
            raise ScorecardError(ErrorCode.LENGTH_MISMATCH, f"X {X.shape} and y {y.shape} disagree")
        if not np.isfinite(X).all():
            raise ScorecardError(ErrorCode.NON_FINITE, "design matrix has NaN or inf")
        beta, self.n_iter_ = fit_newton(
            lambda b: NewtonTerms.empty(b.copy()).add(X, y),
            X.shape[1],
            l2=self.l2,
            max_iter=self.max_iter,
            tol=self.tol,
        )
        self.intercept_ = float(beta[0])
        self.coef_ = beta[1:].copy()
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        return self.intercept_ + np.asarray(X, np.float64) @ self.coef_

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        p = _sigmoid(self.decision_function(X))
        return np.column_stack([1.0 - p, p])
