"""The catalogue of wrong answers: what students write, exercise by exercise, and what the check must say.

One declaration serves three tests:

* ``tests/test_checks.py`` builds each wrong function from the exercise's cell in ``solutions/`` and
  asserts that its check fails with a verdict (the first line, ≤ 90 characters) naming the mistake;
* ``tests/test_students.py`` types each wrong answer into its lesson and runs the lesson: that check
  fails naming the mistake, every other check passes, no other cell errors or warns;
* ``tests/test_nbgrader.py`` submits the first wrong answer of every exercise to nbgrader and expects
  exactly that check's points lost.

``code`` is what the student types in place of ``# YOUR CODE HERE`` / ``raise NotImplementedError()``
(the function's signature and docstring stay); with ``cell=True`` it is the whole cell (a changed
signature). ``says`` must appear in the check's verdict. Two answers join every exercise automatically in
the simulation: the unanswered stub and a cell with a SyntaxError (its function is never defined).

A new exercise joins all three tests by an entry here (its name is the exercise cell's ``grade_id``);
``test_every_exercise_has_a_catalogue`` fails until it has one.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    says: str
    code: str
    cell: bool = False

    @property
    def lines(self):
        return self.code.strip("\n").split("\n")


M = Mistake

#: The verdict every check cell gives for a function whose cell failed (e.g. a SyntaxError); the message
#: goes on "if it shows an error, fix that first".
NOT_DEFINED = "is not defined — run the cell above;"

MISTAKES = {
    # ------------------------------------------------------------------ lesson 00
    "quadratic_grad": [
        M("the sign is flipped", "return -(theta @ A.T)"),
        M("returns ½Aθ", "return 0.5 * theta @ A.T"),
        M("returns 2Aθ", "return 2 * theta @ A.T"),
        M("returns θ itself", "return theta"),
        M("uses only the diagonal of A", "return theta * np.diag(A)"),
        M("works for a single θ but fails on a batch", "return A @ theta"),
        M("that looks like the value J(θ)", "return 0.5 * np.sum(theta * (theta @ A.T), axis=-1)"),
        M("returns None — did you forget `return gradient`?", "grad = theta @ A.T"),
        M("returns gradient as a list, not a numpy array", "return (theta @ A.T).tolist()"),
        M("raised NameError", "return theta @ A.T + bias"),
    ],
    # ------------------------------------------------------------------ lesson 01
    "gd_step": [
        M("θ moves uphill", "return theta + lr * grad"),
        M("the learning rate α is missing", "return theta - grad"),
        M("returns the step, not the new θ", "return -lr * grad"),
        M("divides by α instead of multiplying", "return theta - grad / lr"),
        M("θ comes back unchanged", "new_theta = theta - lr * grad\nreturn theta"),
        M("adds α to the gradient", "return theta - (lr + grad)"),
        M("returns None — did you forget `return theta`?", "theta = theta - lr * grad"),
        M("changes its input `theta` in place", "theta -= lr * grad\nreturn theta"),
        M("returns θ as a list, not a numpy array", "return [t - lr * g for t, g in zip(theta, grad)]"),
        M("returns a tuple of 2 values", "return theta - lr * grad, grad"),
        M("works for a single θ but fails on a batch",
          "return np.array([t - lr * g for t, g in zip(theta.tolist(), grad.tolist())])"),
        M("raised NameError", "return theta - lr * gradient"),
    ],
    "gradient_descent": [
        M("θ moves uphill", """
theta = np.asarray(theta0, dtype=float)
thetas = [theta]
for _ in range(steps):
    theta = theta + lr * objective.grad(theta)
    thetas.append(theta)
return np.stack(thetas)"""),
        M("leaves out θ0", """
theta = np.asarray(theta0, dtype=float)
thetas = []
for _ in range(steps):
    theta = gd_step(theta, objective.grad(theta), lr)
    thetas.append(theta)
return np.stack(thetas)"""),
        M("returns only the last θ", """
theta = np.asarray(theta0, dtype=float)
for _ in range(steps):
    theta = gd_step(theta, objective.grad(theta), lr)
return theta"""),
        M("takes one step too many", """
theta = np.asarray(theta0, dtype=float)
thetas = [theta]
for _ in range(steps + 1):
    theta = gd_step(theta, objective.grad(theta), lr)
    thetas.append(theta)
return np.stack(thetas)"""),
        M("first row is not the start θ0", """
theta = np.asarray(theta0, dtype=float)
thetas = []
for _ in range(steps + 1):
    theta = gd_step(theta, objective.grad(theta), lr)
    thetas.append(theta)
return np.stack(thetas)"""),
        M("uses the gradient at θ0 in every step", """
theta = np.asarray(theta0, dtype=float)
g = objective.grad(theta0)
thetas = [theta]
for _ in range(steps):
    theta = gd_step(theta, g, lr)
    thetas.append(theta)
return np.stack(thetas)"""),
        M("changes theta0 in place", """
theta = theta0
thetas = [theta.copy()]
for _ in range(steps):
    theta -= lr * objective.grad(theta)
    thetas.append(theta.copy())
return np.stack(thetas)"""),
        M("returns a list, not a numpy array", """
theta = np.asarray(theta0, dtype=float)
thetas = [theta]
for _ in range(steps):
    theta = gd_step(theta, objective.grad(theta), lr)
    thetas.append(theta)
return thetas"""),
        M("with steps=0 returns shape (2,)", """
theta = np.asarray(theta0, dtype=float)
thetas = [theta]
for _ in range(steps):
    theta = gd_step(theta, objective.grad(theta), lr)
    thetas.append(theta)
return np.squeeze(np.stack(thetas))"""),
        M("returns None", """
theta = np.asarray(theta0, dtype=float)
thetas = [theta]
for _ in range(steps):
    theta = gd_step(theta, objective.grad(theta), lr)
    thetas.append(theta)"""),
    ],
    "optimal_lr": [
        M("returns (rate, alpha_star): the values are swapped", """
lam = np.linalg.eigvalsh(A)
return (lam[-1] - lam[0]) / (lam[-1] + lam[0]), 2 / (lam[0] + lam[-1])"""),
        M("α* uses the diagonal of A, not its eigenvalues", """
d = np.diag(A)
return 2 / (d.min() + d.max()), (d.max() - d.min()) / (d.max() + d.min())"""),
        M("α* = 2/λmax is the edge of divergence", """
lam = np.linalg.eigvalsh(A)
return 2 / lam[-1], (lam[-1] - lam[0]) / (lam[-1] + lam[0])"""),
        M("α* = 1/λmax is safe but not the best α", """
lam = np.linalg.eigvalsh(A)
return 1 / lam[-1], (lam[-1] - lam[0]) / (lam[-1] + lam[0])"""),
        M("α* uses the first and last eigenvalue", """
lam = np.linalg.eigvals(A)
return 2 / (lam[0] + lam[-1]), (lam[-1] - lam[0]) / (lam[-1] + lam[0])"""),
        M("α* = 1/(λmin + λmax) is missing the 2", """
lam = np.linalg.eigvalsh(A)
return 1 / (lam[0] + lam[-1]), (lam[-1] - lam[0]) / (lam[-1] + lam[0])"""),
        M("the rate is squared", """
lam = np.linalg.eigvalsh(A)
kappa = lam[-1] / lam[0]
return 2 / (lam[0] + lam[-1]), ((kappa - 1) / (kappa + 1)) ** 2"""),
        M("the rate is (κ − 1)/κ", """
lam = np.linalg.eigvalsh(A)
kappa = lam[-1] / lam[0]
return 2 / (lam[0] + lam[-1]), (kappa - 1) / kappa"""),
        M("the rate is 1/κ", """
lam = np.linalg.eigvalsh(A)
return 2 / (lam[0] + lam[-1]), lam[0] / lam[-1]"""),
        M("returns a single number, not the pair (alpha_star, rate)", """
lam = np.linalg.eigvalsh(A)
return 2 / (lam[0] + lam[-1])"""),
        M("returns 3 values", """
lam = np.linalg.eigvalsh(A)
kappa = lam[-1] / lam[0]
return 2 / (lam[0] + lam[-1]), (kappa - 1) / (kappa + 1), kappa"""),
        M("returns None", """
lam = np.linalg.eigvalsh(A)
alpha_star, rate = 2 / (lam[0] + lam[-1]), (lam[-1] - lam[0]) / (lam[-1] + lam[0])"""),
    ],
    # ------------------------------------------------------------------ lesson 02
    "minibatches": [
        M("more than once", """
for i in range(0, n, batch_size):
    yield rng.integers(0, n, size=min(batch_size, n - i))"""),
        M("drops the last, smaller batch", """
order = rng.permutation(n)
for i in range(n // batch_size):
    yield order[i * batch_size:(i + 1) * batch_size]"""),
        M("keeps the examples in order", """
for i in range(0, n, batch_size):
    yield np.arange(i, min(i + batch_size, n))"""),
        M("different orders for the same seed", """
order = np.random.permutation(n)
for i in range(0, n, batch_size):
    yield order[i:i + batch_size]"""),
        M("the same order for different seeds", """
order = np.random.default_rng(42).permutation(n)
for i in range(0, n, batch_size):
    yield order[i:i + batch_size]"""),
        M("not 1-D integer indices", """
order = rng.permutation(n).astype(float)
for i in range(0, n, batch_size):
    yield order[i:i + batch_size]"""),
        M("returns nothing to loop over", "order = rng.permutation(n)"),
        M("yields batches of sizes", "return np.array_split(rng.permutation(n), -(-n // batch_size))"),
        M("not 1-D integer indices", "return rng.permutation(n)"),
        M("raised NameError", """
order = rng.permutation(n)
for start in range(0, n, batch_size):
    yield order[start:start + batchsize]"""),
    ],
    "sgd_step": [
        M("θ moves uphill", "return theta + lr * grad"),
        M("the learning rate α is missing", "return theta - grad"),
        M("returns the step, not the new θ", "return lr * grad"),
        M("changes its input `theta` in place", "theta -= lr * grad\nreturn theta"),
        M("returns θ as a list, not a numpy array", "return list(theta - lr * grad)"),
        M("divides by α instead of multiplying", "return theta - grad / lr"),
        M("θ comes back unchanged", "return theta"),
        M("adds α to the gradient", "return theta - (lr + grad)"),
        M("returns None", "theta = theta - lr * grad"),
    ],
    "train_sgd": [
        M("θ moves uphill", """
theta = np.asarray(theta0, dtype=float)
thetas, t = [theta], 0
for _ in range(epochs):
    for batch in minibatches(loss.n, batch_size, rng):
        t += 1
        lr_t = lr if schedule is None else lr * schedule(t)
        theta = theta + lr_t * loss.grad(theta, batch)
        thetas.append(theta)
return np.stack(thetas)"""),
        M("changes theta0 in place", """
theta = theta0
thetas, t = [theta.copy()], 0
for _ in range(epochs):
    for batch in minibatches(loss.n, batch_size, rng):
        t += 1
        lr_t = lr if schedule is None else lr * schedule(t)
        theta -= lr_t * loss.grad(theta, batch)
        thetas.append(theta.copy())
return np.stack(thetas)"""),
        M("leaves out θ0", """
theta = np.asarray(theta0, dtype=float)
thetas, t = [], 0
for _ in range(epochs):
    for batch in minibatches(loss.n, batch_size, rng):
        t += 1
        lr_t = lr if schedule is None else lr * schedule(t)
        theta = sgd_step(theta, loss.grad(theta, batch), lr_t)
        thetas.append(theta)
return np.stack(thetas)"""),
        M("returns only the last θ", """
theta = np.asarray(theta0, dtype=float)
t = 0
for _ in range(epochs):
    for batch in minibatches(loss.n, batch_size, rng):
        t += 1
        lr_t = lr if schedule is None else lr * schedule(t)
        theta = sgd_step(theta, loss.grad(theta, batch), lr_t)
return theta"""),
        M("returns a list, not a numpy array", """
theta = np.asarray(theta0, dtype=float)
thetas, t = [theta], 0
for _ in range(epochs):
    for batch in minibatches(loss.n, batch_size, rng):
        t += 1
        lr_t = lr if schedule is None else lr * schedule(t)
        theta = sgd_step(theta, loss.grad(theta, batch), lr_t)
        thetas.append(theta)
return thetas"""),
        M("counts the schedule's t from 0", """
theta = np.asarray(theta0, dtype=float)
thetas, t = [theta], 0
for _ in range(epochs):
    for batch in minibatches(loss.n, batch_size, rng):
        lr_t = lr if schedule is None else lr * schedule(t)
        t += 1
        theta = sgd_step(theta, loss.grad(theta, batch), lr_t)
        thetas.append(theta)
return np.stack(thetas)"""),
        M("ignores the schedule", """
theta = np.asarray(theta0, dtype=float)
thetas = [theta]
for _ in range(epochs):
    for batch in minibatches(loss.n, batch_size, rng):
        theta = sgd_step(theta, loss.grad(theta, batch), lr)
        thetas.append(theta)
return np.stack(thetas)"""),
        M("applies the schedule wrongly", """
theta = np.asarray(theta0, dtype=float)
thetas = [theta]
for _ in range(epochs):
    t = 0
    for batch in minibatches(loss.n, batch_size, rng):
        t += 1
        lr_t = lr if schedule is None else lr * schedule(t)
        theta = sgd_step(theta, loss.grad(theta, batch), lr_t)
        thetas.append(theta)
return np.stack(thetas)"""),
        M("in the same order every epoch", """
theta = np.asarray(theta0, dtype=float)
thetas, t = [theta], 0
batches = list(minibatches(loss.n, batch_size, rng))
for _ in range(epochs):
    for batch in batches:
        t += 1
        lr_t = lr if schedule is None else lr * schedule(t)
        theta = sgd_step(theta, loss.grad(theta, batch), lr_t)
        thetas.append(theta)
return np.stack(thetas)"""),
        M("in the same order every epoch", """
theta = np.asarray(theta0, dtype=float)
thetas, t = [theta], 0
for _ in range(epochs):
    for batch in minibatches(loss.n, batch_size, np.random.default_rng(0)):
        t += 1
        lr_t = lr if schedule is None else lr * schedule(t)
        theta = sgd_step(theta, loss.grad(theta, batch), lr_t)
        thetas.append(theta)
return np.stack(thetas)"""),
        M("is not one example's gradient step", """
theta = np.asarray(theta0, dtype=float)
thetas, t = [theta], 0
for _ in range(epochs):
    for batch in minibatches(loss.n, batch_size, rng):
        t += 1
        lr_t = lr if schedule is None else lr * schedule(t)
        theta = sgd_step(theta, loss.grad(theta), lr_t)
        thetas.append(theta)
return np.stack(thetas)"""),
        M("takes 2 steps, expected 6", """
theta = np.asarray(theta0, dtype=float)
thetas = [theta]
for t in range(1, epochs + 1):
    batch = next(iter(minibatches(loss.n, batch_size, rng)))
    lr_t = lr if schedule is None else lr * schedule(t)
    theta = sgd_step(theta, loss.grad(theta, batch), lr_t)
    thetas.append(theta)
return np.stack(thetas)"""),
        M("returns None", """
theta = np.asarray(theta0, dtype=float)
thetas, t = [theta], 0
for _ in range(epochs):
    for batch in minibatches(loss.n, batch_size, rng):
        t += 1
        theta = sgd_step(theta, loss.grad(theta, batch), lr if schedule is None else lr * schedule(t))
        thetas.append(theta)"""),
    ],
    "averaged_iterate": [
        M("it leaves out thetas[burn_in]", "return np.mean(thetas[burn_in + 1:], axis=0)"),
        M("it averages the burn-in instead of the iterates after it", "return np.mean(thetas[:burn_in], axis=0)"),
        M("it averages every iterate, ignoring burn_in", "return np.mean(thetas, axis=0)"),
        M("it returns the last iterate, not the average", "return thetas[-1]"),
        M("returns a number, not a numpy array", "return np.mean(thetas[burn_in:])"),
        M("averages over the wrong axis", "return np.mean(thetas[burn_in:], axis=-1)"),
        M("it divides by one row too few",
          "return np.sum(thetas[burn_in:], axis=0) / (len(thetas) - burn_in - 1)"),
        M("mixes the runs", "return np.mean(thetas[burn_in:].reshape(-1, thetas.shape[-1]), axis=0)"),
        M("returns a list, not a numpy array", "return list(np.mean(thetas[burn_in:], axis=0))"),
        M("returns None", "theta_bar = np.mean(thetas[burn_in:], axis=0)"),
    ],
    # ------------------------------------------------------------------ lesson 03
    "momentum_step": [
        M("θ moves with the old velocity",
          "theta = theta + velocity\nvelocity = beta * velocity - lr * grad\nreturn theta, velocity"),
        M("the velocity points uphill",
          "velocity = beta * velocity + lr * grad\ntheta = theta + velocity\nreturn theta, velocity"),
        M("θ moves against the velocity",
          "velocity = beta * velocity - lr * grad\ntheta = theta - velocity\nreturn theta, velocity"),
        M("the frameworks' form b ← βb + g; θ ← θ − αb",
          "velocity = beta * velocity + grad\ntheta = theta - lr * velocity\nreturn theta, velocity"),
        M("the moving-average form v ← βv + (1 − β)g; θ ← θ − αv",
          "velocity = beta * velocity + (1 - beta) * grad\ntheta = theta - lr * velocity\nreturn theta, velocity"),
        M("β is missing", "velocity = velocity - lr * grad\ntheta = theta + velocity\nreturn theta, velocity"),
        M("the gradient is scaled by (1 − β)",
          "velocity = beta * velocity - (1 - beta) * lr * grad\ntheta = theta + velocity\nreturn theta, velocity"),
        M("the incoming velocity is ignored", "velocity = -lr * grad\nreturn theta + velocity, velocity"),
        M("returns (velocity, theta): the values are swapped",
          "velocity = beta * velocity - lr * grad\ntheta = theta + velocity\nreturn velocity, theta"),
        M("returns a single array, not the 2 values (theta, velocity)",
          "velocity = beta * velocity - lr * grad\nreturn theta + velocity"),
        M("changes its input `velocity` in place",
          "velocity *= beta\nvelocity -= lr * grad\nreturn theta + velocity, velocity"),
        M("returns θ as a list, not a numpy array",
          "velocity = beta * velocity - lr * grad\nreturn (theta + velocity).tolist(), velocity.tolist()"),
        M("returns None", "velocity = beta * velocity - lr * grad\ntheta = theta + velocity"),
        M("its velocity has the opposite sign",
          "velocity = beta * velocity + lr * grad\nreturn theta - velocity, velocity"),
    ],
    "nesterov_step": [
        M("the frameworks' Nesterov step θ ← θ + βv − αg",
          "velocity = beta * velocity - lr * grad\nreturn theta + beta * velocity - lr * grad, velocity"),
        M("the next look-ahead point θ + v + βv",
          "velocity = beta * velocity - lr * grad\ntheta = theta + velocity\nreturn theta + beta * velocity, velocity"),
        M("the look-ahead point θ + βv (new v)",
          "velocity = beta * velocity - lr * grad\nreturn theta + beta * velocity, velocity"),
        M("the point θ + βv where grad was taken",
          "new_velocity = beta * velocity - lr * grad\nreturn theta + beta * velocity, new_velocity"),
        M("θ moves with the old velocity",
          "new_theta = theta + velocity\nreturn new_theta, beta * velocity - lr * grad"),
        M("β is missing", "velocity = velocity - lr * grad\nreturn theta + velocity, velocity"),
        M("the velocity points uphill", "velocity = beta * velocity + lr * grad\nreturn theta + velocity, velocity"),
        M("θ moves against the velocity", "velocity = beta * velocity - lr * grad\nreturn theta - velocity, velocity"),
        M("the frameworks' form b ← βb + g; θ ← θ − αb",
          "velocity = beta * velocity + grad\nreturn theta - lr * velocity, velocity"),
        M("the moving-average form v ← βv + (1 − β)g; θ ← θ − αv",
          "velocity = beta * velocity + (1 - beta) * grad\nreturn theta - lr * velocity, velocity"),
        M("the gradient is scaled by (1 − β)",
          "velocity = beta * velocity - (1 - beta) * lr * grad\nreturn theta + velocity, velocity"),
        M("the incoming velocity is ignored", "return theta - lr * grad, -lr * grad"),
        M("returns (velocity, theta): the values are swapped",
          "velocity = beta * velocity - lr * grad\nreturn velocity, theta + velocity"),
        M("returns None", "velocity = beta * velocity - lr * grad\ntheta = theta + velocity"),
        M("its velocity has the opposite sign",
          "velocity = beta * velocity + lr * grad\nreturn theta - velocity, velocity"),
    ],
    "optimal_momentum": [
        M("β* is the rate (√κ−1)/(√κ+1), not its square", """
kappa = lam_max / lam_min
lr = (2 / (np.sqrt(lam_max) + np.sqrt(lam_min))) ** 2
beta = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
return lr, beta"""),
        M("α* is missing its square", """
kappa = lam_max / lam_min
lr = 2 / (np.sqrt(lam_max) + np.sqrt(lam_min))
beta = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
return lr, beta"""),
        M("α* is gradient descent's best α", """
kappa = lam_max / lam_min
lr = 2 / (lam_min + lam_max)
beta = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
return lr, beta"""),
        M("β* uses κ, not √κ", """
kappa = lam_max / lam_min
lr = (2 / (np.sqrt(lam_max) + np.sqrt(lam_min))) ** 2
beta = ((kappa - 1) / (kappa + 1)) ** 2
return lr, beta"""),
        M("α* is half what it should be", """
kappa = lam_max / lam_min
lr = 2 / (np.sqrt(lam_max) + np.sqrt(lam_min)) ** 2
beta = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
return lr, beta"""),
        M("returns (beta, lr): the values are swapped", """
kappa = lam_max / lam_min
lr = (2 / (np.sqrt(lam_max) + np.sqrt(lam_min))) ** 2
beta = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
return beta, lr"""),
        M("returns a single number, not the pair (lr, beta)", """
kappa = lam_max / lam_min
return ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2"""),
        M("returns None", """
kappa = lam_max / lam_min
lr = (2 / (np.sqrt(lam_max) + np.sqrt(lam_min))) ** 2
beta = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2"""),
    ],
    # ------------------------------------------------------------------ lesson 04
    "adagrad_step": [
        M("s collects g instead of g²", "s = s + grad\nreturn theta - lr * grad / (np.sqrt(s) + eps), s"),
        M("s collects |g| instead of g²", "s = s + np.abs(grad)\nreturn theta - lr * grad / (np.sqrt(s) + eps), s"),
        M("ε is inside the square root", "s = s + grad**2\nreturn theta - lr * grad / np.sqrt(s + eps), s"),
        M("ε is missing", "s = s + grad**2\nreturn theta - lr * grad / np.sqrt(s), s"),
        M("θ is updated with the old s",
          "new_s = s + grad**2\nreturn theta - lr * grad / (np.sqrt(s) + eps), new_s"),
        M("the square root is missing", "s = s + grad**2\nreturn theta - lr * grad / (s + eps), s"),
        M("θ moves uphill", "s = s + grad**2\nreturn theta + lr * grad / (np.sqrt(s) + eps), s"),
        M("s is replaced by g² instead of accumulated",
          "s = grad**2\nreturn theta - lr * grad / (np.sqrt(s) + eps), s"),
        M("s is a running average (that is RMSProp)",
          "s = 0.9 * s + 0.1 * grad**2\nreturn theta - lr * grad / (np.sqrt(s) + eps), s"),
        M("returns (s, theta): the values are swapped",
          "s = s + grad**2\nreturn s, theta - lr * grad / (np.sqrt(s) + eps)"),
        M("changes its input `s` in place", "s += grad**2\nreturn theta - lr * grad / (np.sqrt(s) + eps), s"),
        M("returns None", "s = s + grad**2\ntheta = theta - lr * grad / (np.sqrt(s) + eps)"),
    ],
    "rmsprop_step": [
        M("v collects g instead of g²", """
v = beta2 * v + (1 - beta2) * grad
v_hat = v if t is None else v / (1 - beta2**t)
return theta - lr * grad / (np.sqrt(v_hat) + eps), v"""),
        M("v collects |g| instead of g²", """
v = beta2 * v + (1 - beta2) * np.abs(grad)
v_hat = v if t is None else v / (1 - beta2**t)
return theta - lr * grad / (np.sqrt(v_hat) + eps), v"""),
        M("ε is inside the square root", """
v = beta2 * v + (1 - beta2) * grad**2
v_hat = v if t is None else v / (1 - beta2**t)
return theta - lr * grad / np.sqrt(v_hat + eps), v"""),
        M("θ is updated with the old v", """
new_v = beta2 * v + (1 - beta2) * grad**2
v_hat = v if t is None else v / (1 - beta2**t)
return theta - lr * grad / (np.sqrt(v_hat) + eps), new_v"""),
        M("the square root is missing", """
v = beta2 * v + (1 - beta2) * grad**2
v_hat = v if t is None else v / (1 - beta2**t)
return theta - lr * grad / (v_hat + eps), v"""),
        M("θ moves uphill", """
v = beta2 * v + (1 - beta2) * grad**2
v_hat = v if t is None else v / (1 - beta2**t)
return theta + lr * grad / (np.sqrt(v_hat) + eps), v"""),
        M("β2 and 1 − β2 are swapped", """
v = (1 - beta2) * v + beta2 * grad**2
v_hat = v if t is None else v / (1 - beta2**t)
return theta - lr * grad / (np.sqrt(v_hat) + eps), v"""),
        M("the (1 − β2) in front of g² is missing", """
v = beta2 * v + grad**2
v_hat = v if t is None else v / (1 - beta2**t)
return theta - lr * grad / (np.sqrt(v_hat) + eps), v"""),
        M("β2 is missing", """
v = v + (1 - beta2) * grad**2
v_hat = v if t is None else v / (1 - beta2**t)
return theta - lr * grad / (np.sqrt(v_hat) + eps), v"""),
        M("v is a running sum (that is AdaGrad)", """
v = v + grad**2
v_hat = v if t is None else v / (1 - beta2**t)
return theta - lr * grad / (np.sqrt(v_hat) + eps), v"""),
        M("t is ignored", """
v = beta2 * v + (1 - beta2) * grad**2
return theta - lr * grad / (np.sqrt(v) + eps), v"""),
        M("it returns the corrected v̂, not v", """
v = beta2 * v + (1 - beta2) * grad**2
if t is not None:
    v = v / (1 - beta2**t)
return theta - lr * grad / (np.sqrt(v) + eps), v"""),
        M("t is counted from 0", """
v = beta2 * v + (1 - beta2) * grad**2
v_hat = v if t is None else v / (1 - beta2**(t - 1))
return theta - lr * grad / (np.sqrt(v_hat) + eps), v"""),
        M("the bias correction uses t + 1", """
v = beta2 * v + (1 - beta2) * grad**2
v_hat = v if t is None else v / (1 - beta2**(t + 1))
return theta - lr * grad / (np.sqrt(v_hat) + eps), v"""),
        M("rmsprop_step has no t argument", '''
def rmsprop_step(theta, grad, v, lr=1e-2, beta2=0.99, eps=1e-8):
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * grad / (np.sqrt(v) + eps), v''', cell=True),
        M("returns (v, theta): the values are swapped", """
v = beta2 * v + (1 - beta2) * grad**2
v_hat = v if t is None else v / (1 - beta2**t)
return v, theta - lr * grad / (np.sqrt(v_hat) + eps)"""),
        M("changes its input `v` in place", """
v *= beta2
v += (1 - beta2) * grad**2
v_hat = v if t is None else v / (1 - beta2**t)
return theta - lr * grad / (np.sqrt(v_hat) + eps), v"""),
        M("returns None", """
v = beta2 * v + (1 - beta2) * grad**2
v_hat = v if t is None else v / (1 - beta2**t)
theta = theta - lr * grad / (np.sqrt(v_hat) + eps)"""),
        M("ε is missing", """
v = beta2 * v + (1 - beta2) * grad**2
v_hat = v if t is None else v / (1 - beta2**t)
return theta - lr * grad / np.sqrt(v_hat), v"""),
    ],
    "sign_descent_step": [
        M("θ moves uphill", "return theta + lr * np.sign(grad)"),
        M("it steps by α·g, not α·sign(g)", "return theta - lr * grad"),
        M("it returns the step, not the new θ", "return -lr * np.sign(grad)"),
        M("the learning rate α is missing", "return theta - np.sign(grad)"),
        M("it divides by the largest |g|", "return theta - lr * grad / np.abs(grad).max()"),
        M("changes theta or grad in place", "theta -= lr * np.sign(grad)\nreturn theta"),
        M("does not move every coordinate by exactly α", "return theta - lr * np.sign(grad) * (np.abs(grad) > 1)"),
        M("returns θ as a list", "return [t - lr * np.sign(g) for t, g in zip(theta, grad)]"),
        M("returns None", "theta = theta - lr * np.sign(grad)"),
        M("gives NaN where g = 0 — g/|g| is 0/0 there", "return theta - lr * grad / np.abs(grad)"),
    ],
    # ------------------------------------------------------------------ lesson 05
    "adam_step": [
        M("the bias correction is missing", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
return theta - lr * m / (np.sqrt(v) + eps), m, v"""),
        M("only m is bias-corrected", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat = m / (1 - beta1**t) if bias_correction else m
return theta - lr * m_hat / (np.sqrt(v) + eps), m, v"""),
        M("only v is bias-corrected", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
v_hat = v / (1 - beta2**t) if bias_correction else v
return theta - lr * m / (np.sqrt(v_hat) + eps), m, v"""),
        M("t is counted from 0", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
if bias_correction:
    m_hat, v_hat = m / (1 - beta1**(t - 1)), v / (1 - beta2**(t - 1))
else:
    m_hat, v_hat = m, v
return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v"""),
        M("the bias correction uses t + 1", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
if bias_correction:
    m_hat, v_hat = m / (1 - beta1**(t + 1)), v / (1 - beta2**(t + 1))
else:
    m_hat, v_hat = m, v
return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v"""),
        M("ε is inside the square root", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v"""),
        M("v collects g instead of g²", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v"""),
        M("v collects |g| instead of g²", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * np.abs(grad)
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v"""),
        M("β and 1 − β are swapped", """
m = (1 - beta1) * m + beta1 * grad
v = (1 - beta2) * v + beta2 * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v"""),
        M("β1 and β2 are swapped", """
m = beta2 * m + (1 - beta2) * grad
v = beta1 * v + (1 - beta1) * grad**2
m_hat, v_hat = (m / (1 - beta2**t), v / (1 - beta1**t)) if bias_correction else (m, v)
return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v"""),
        M("the (1 − β) factors are missing", """
m = beta1 * m + grad
v = beta2 * v + grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v"""),
        M("the (1 − β1) in front of g is missing", """
m = beta1 * m + grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v"""),
        M("the (1 − β2) in front of g² is missing", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v"""),
        M("β2 is missing", """
m = beta1 * m + (1 - beta1) * grad
v = v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v"""),
        M("β1 is missing", """
m = m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v"""),
        M("θ moves uphill", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta + lr * m_hat / (np.sqrt(v_hat) + eps), m, v"""),
        M("θ is updated with the old m and v", """
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
return theta, beta1 * m + (1 - beta1) * grad, beta2 * v + (1 - beta2) * grad**2"""),
        M("the square root is missing", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * m_hat / (v_hat + eps), m, v"""),
        M("bias_correction=False is ignored", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v"""),
        M("bias_correction is inverted", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m, v) if bias_correction else (m / (1 - beta1**t), v / (1 - beta2**t))
return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v"""),
        M("bias_correction=False still corrects v", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat = m / (1 - beta1**t) if bias_correction else m
v_hat = v / (1 - beta2**t)
return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v"""),
        M("bias_correction=False still corrects m", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat = m / (1 - beta1**t)
v_hat = v / (1 - beta2**t) if bias_correction else v
return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v"""),
        M("it returns the corrected m̂ and v̂, not m and v", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
if bias_correction:
    m, v = m / (1 - beta1**t), v / (1 - beta2**t)
return theta - lr * m / (np.sqrt(v) + eps), m, v"""),
        M("the Adam paper's efficient form", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t) if bias_correction else lr
return theta - lr_t * m / (np.sqrt(v) + eps), m, v"""),
        M("adam_step has no bias_correction argument", '''
def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v''', cell=True),
        M("returns (m, v, theta): the values are swapped", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return m, v, theta - lr * m_hat / (np.sqrt(v_hat) + eps)"""),
        M("returns 2 values", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m"""),
        M("returns a single array", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * m_hat / (np.sqrt(v_hat) + eps)"""),
        M("returns θ as a list, not a numpy array", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return [list(theta - lr * m_hat / (np.sqrt(v_hat) + eps)), m, v]"""),
        M("changes its input `m` and `v` in place", """
m *= beta1
m += (1 - beta1) * grad
v *= beta2
v += (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v"""),
        M("returns None", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)"""),
        M("ε is missing", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * m_hat / np.sqrt(v_hat), m, v"""),
    ],
    "uncorrected_step_ratio": [
        M("it is inverted", "return np.sqrt(1 - beta2**t) / (1 - beta1**t)"),
        M("the square root on v's correction is missing", "return (1 - beta1**t) / (1 - beta2**t)"),
        M("t is counted from 0", "return (1 - beta1**(t - 1)) / np.sqrt(1 - beta2**(t - 1))"),
        M("v's correction is left out", "return 1 - beta1**t"),
        M("m's correction is left out", "return 1 / np.sqrt(1 - beta2**t)"),
        M("returns a tuple, not a number", "return 1 - beta1**t, np.sqrt(1 - beta2**t)"),
        M("returns None", "ratio = (1 - beta1**t) / np.sqrt(1 - beta2**t)"),
    ],
    "amsgrad_step": [
        M("it divides by v, not by the maximum v_max", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
v_max = np.maximum(v_max, v)
theta = theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
return theta, m, v, v_max"""),
        M("the maximum is taken with the old v", """
v_max = np.maximum(v_max, v)
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
theta = theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps)
return theta, m, v, v_max"""),
        M("v_max keeps the maximum of the corrected v̂", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
v_max = np.maximum(v_max, v / (1 - beta2**t))
theta = theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max) + eps)
return theta, m, v, v_max"""),
        M("v_max is not divided by 1 − β2ᵗ in the step", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
v_max = np.maximum(v_max, v)
theta = theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max) + eps)
return theta, m, v, v_max"""),
        M("v_max keeps the maximum of g², not of v", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
v_max = np.maximum(v_max, grad**2)
theta = theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps)
return theta, m, v, v_max"""),
        M("v is overwritten by the maximum", """
m = beta1 * m + (1 - beta1) * grad
v = np.maximum(v_max, beta2 * v + (1 - beta2) * grad**2)
theta = theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
return theta, m, v, v"""),
        M("v_max is never updated", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
theta = theta - lr * (m / (1 - beta1**t)) / (np.sqrt(np.maximum(v_max, v) / (1 - beta2**t)) + eps)
return theta, m, v, v_max"""),
        M("ε is missing", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
v_max = np.maximum(v_max, v)
theta = theta - lr * (m / (1 - beta1**t)) / np.sqrt(v_max / (1 - beta2**t))
return theta, m, v, v_max"""),
        M("θ moves uphill", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
v_max = np.maximum(v_max, v)
theta = theta + lr * (m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps)
return theta, m, v, v_max"""),
        M("m is not bias-corrected", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
v_max = np.maximum(v_max, v)
theta = theta - lr * m / (np.sqrt(v_max / (1 - beta2**t)) + eps)
return theta, m, v, v_max"""),
        M("t is counted from 0", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
v_max = np.maximum(v_max, v)
theta = theta - lr * (m / (1 - beta1**(t - 1))) / (np.sqrt(v_max / (1 - beta2**(t - 1))) + eps)
return theta, m, v, v_max"""),
        M("ε is inside the square root", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
v_max = np.maximum(v_max, v)
theta = theta - lr * (m / (1 - beta1**t)) / np.sqrt(v_max / (1 - beta2**t) + eps)
return theta, m, v, v_max"""),
        M("v collects g instead of g²", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad
v_max = np.maximum(v_max, v)
theta = theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps)
return theta, m, v, v_max"""),
        M("raised ValueError", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
v_max = max(v_max, v)
theta = theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps)
return theta, m, v, v_max"""),
        M("returns 3 values; it should return the 4 values (theta, m, v, v_max)", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
v_max = np.maximum(v_max, v)
return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps), m, v"""),
        M("changes its input `v_max` in place", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
np.maximum(v_max, v, out=v_max)
theta = theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps)
return theta, m, v, v_max"""),
        M("returns None", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
v_max = np.maximum(v_max, v)
theta = theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps)"""),
    ],
    # ------------------------------------------------------------------ lesson 06
    "adamw_step": [
        M("λθ is added to the gradient (that is L2 regularisation)", """
grad = grad + weight_decay * theta
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v"""),
        M("the weight decay is missing", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v"""),
        M("the decay is λθ instead of α λθ", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * m_hat / (np.sqrt(v_hat) + eps) - weight_decay * theta, m, v"""),
        M("the decay pushes θ away from 0", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * (m_hat / (np.sqrt(v_hat) + eps) - weight_decay * theta), m, v"""),
        M("the decay uses the already-updated θ", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
return theta * (1 - lr * weight_decay), m, v"""),
        M("the bias correction is missing", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
return theta - lr * (m / (np.sqrt(v) + eps) + weight_decay * theta), m, v"""),
        M("t is counted from 0", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**(t - 1)), v / (1 - beta2**(t - 1))) if bias_correction else (m, v)
return theta - lr * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * theta), m, v"""),
        M("ε is inside the square root", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * (m_hat / np.sqrt(v_hat + eps) + weight_decay * theta), m, v"""),
        M("v collects g instead of g²", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * theta), m, v"""),
        M("θ moves uphill", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta + lr * m_hat / (np.sqrt(v_hat) + eps) - lr * weight_decay * theta, m, v"""),
        M("θ is updated with the old m and v", """
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
new_theta = theta - lr * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * theta)
return new_theta, beta1 * m + (1 - beta1) * grad, beta2 * v + (1 - beta2) * grad**2"""),
        M("bias_correction=False is ignored", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
return theta - lr * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * theta), m, v"""),
        M("bias_correction is inverted", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m, v) if bias_correction else (m / (1 - beta1**t), v / (1 - beta2**t))
return theta - lr * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * theta), m, v"""),
        M("bias_correction=False still corrects v", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat = m / (1 - beta1**t) if bias_correction else m
v_hat = v / (1 - beta2**t)
return theta - lr * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * theta), m, v"""),
        M("bias_correction=False still corrects m", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat = m / (1 - beta1**t)
v_hat = v / (1 - beta2**t) if bias_correction else v
return theta - lr * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * theta), m, v"""),
        M("it returns the corrected m̂ and v̂, not m and v", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
if bias_correction:
    m, v = m / (1 - beta1**t), v / (1 - beta2**t)
return theta - lr * (m / (np.sqrt(v) + eps) + weight_decay * theta), m, v"""),
        M("the Adam paper's efficient form", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t) if bias_correction else lr
return theta - lr_t * m / (np.sqrt(v) + eps) - lr * weight_decay * theta, m, v"""),
        M("β2 is missing", """
m = beta1 * m + (1 - beta1) * grad
v = v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * theta), m, v"""),
        M("the (1 − β1) in front of g is missing", """
m = beta1 * m + grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * theta), m, v"""),
        M("adamw_step has no bias_correction argument", '''
def adamw_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * theta), m, v''', cell=True),
        M("returns None", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
theta = theta - lr * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * theta)"""),
        M("ε is missing", """
m = beta1 * m + (1 - beta1) * grad
v = beta2 * v + (1 - beta2) * grad**2
m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
return theta - lr * (m_hat / np.sqrt(v_hat) + weight_decay * theta), m, v"""),
    ],
    "cosine_lr": [
        M("t is counted from 0", """
progress = np.minimum(np.asarray(t), total_steps) / total_steps
return lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * progress)) / 2"""),
        M("after total_steps the cosine comes back up", """
progress = (np.asarray(t) - 1) / total_steps
return lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * progress)) / 2"""),
        M("lr_min is ignored", """
progress = np.minimum(np.asarray(t) - 1, total_steps) / total_steps
return lr_max * (1 + np.cos(np.pi * progress)) / 2"""),
        M("lr_min is added on top of the full lr_max", """
progress = np.minimum(np.asarray(t) - 1, total_steps) / total_steps
return lr_min + lr_max * (1 + np.cos(np.pi * progress)) / 2"""),
        M("the /2 is missing", """
progress = np.minimum(np.asarray(t) - 1, total_steps) / total_steps
return lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * progress))"""),
        M("the cosine makes a full period", """
progress = np.minimum(np.asarray(t) - 1, total_steps) / total_steps
return lr_min + (lr_max - lr_min) * (1 + np.cos(2 * np.pi * progress)) / 2"""),
        M("it returns the multiplier, not the learning rate", """
progress = np.minimum(np.asarray(t) - 1, total_steps) / total_steps
return (1 + np.cos(np.pi * progress)) / 2"""),
        M("works for a single t but fails on a batch", """
import math
progress = min(t - 1, total_steps) / total_steps
return lr_min + (lr_max - lr_min) * (1 + math.cos(math.pi * progress)) / 2"""),
        M("returns None", """
progress = np.minimum(np.asarray(t) - 1, total_steps) / total_steps
lr = lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * progress)) / 2"""),
    ],
    "warmup_lr": [
        M("the first step gets lr = 0", '''
def warmup_lr(t, warmup_steps, lr_max):
    return lr_max * np.minimum((np.asarray(t) - 1) / warmup_steps, 1)''', cell=True),
        M("the rate keeps growing after the warm-up", '''
def warmup_lr(t, warmup_steps, lr_max):
    return lr_max * np.asarray(t) / warmup_steps''', cell=True),
        M("t // W is integer division", '''
def warmup_lr(t, warmup_steps, lr_max):
    return lr_max * np.minimum(np.asarray(t) // warmup_steps, 1)''', cell=True),
        M("it returns the multiplier, not the learning rate", '''
def warmup_lr(t, warmup_steps, lr_max):
    return np.minimum(np.asarray(t) / warmup_steps, 1.0)''', cell=True),
        M("works for a single t but fails on a batch", '''
def warmup_lr(t, warmup_steps, lr_max):
    return lr_max * min(t / warmup_steps, 1)''', cell=True),
    ],
    "warmup_cosine_lr": [
        M("the cosine does not restart after the warm-up", """
t = np.asarray(t)
return np.where(t <= warmup_steps, lr_max * t / warmup_steps, cosine_lr(t, total_steps, lr_max, lr_min))"""),
        M("the cosine does not restart after the warm-up", """
t = np.asarray(t)
after = cosine_lr(t, total_steps - warmup_steps, lr_max, lr_min)
return np.where(t <= warmup_steps, lr_max * t / warmup_steps, after)"""),
        M("the cosine anneals over total_steps", """
t = np.asarray(t)
after = cosine_lr(np.maximum(t - warmup_steps, 1), total_steps, lr_max, lr_min)
return np.where(t <= warmup_steps, lr_max * t / warmup_steps, after)"""),
        M("the first step gets lr = 0", """
t = np.asarray(t)
after = cosine_lr(np.maximum(t - warmup_steps, 1), total_steps - warmup_steps, lr_max, lr_min)
return np.where(t <= warmup_steps, lr_max * (t - 1) / warmup_steps, after)"""),
        M("the cosine part counts t from 0", """
t = np.asarray(t)
after = cosine_lr(np.maximum(t - warmup_steps + 1, 1), total_steps - warmup_steps, lr_max, lr_min)
return np.where(t <= warmup_steps, lr_max * t / warmup_steps, after)"""),
        M("works for a single t but fails on a batch", """
if t <= warmup_steps:
    return lr_max * t / warmup_steps
return cosine_lr(t - warmup_steps, total_steps - warmup_steps, lr_max, lr_min)"""),
        M("returns None", """
t = np.asarray(t)
after = cosine_lr(np.maximum(t - warmup_steps, 1), total_steps - warmup_steps, lr_max, lr_min)
lr = np.where(t <= warmup_steps, lr_max * t / warmup_steps, after)"""),
    ],
    # ------------------------------------------------------------------ lesson 07
    "mlp_grad": [
        M("tanh′ missing", """
a1 = np.tanh(X @ W1 + b1)
z = (a1 @ W2)[:, 0] + b2[0]
J = np.mean(np.logaddexp(0.0, z) - y * z)
delta2 = ((0.5 * (1 + np.tanh(z / 2)) - y) / len(y))[:, None]
delta1 = delta2 @ W2.T
return J, (X.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0))"""),
        M("times too large: J is a mean", """
a1 = np.tanh(X @ W1 + b1)
z = (a1 @ W2)[:, 0] + b2[0]
J = np.mean(np.logaddexp(0.0, z) - y * z)
delta2 = (0.5 * (1 + np.tanh(z / 2)) - y)[:, None]
delta1 = (delta2 @ W2.T) * (1 - a1**2)
return J, (X.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0))"""),
        M("has the wrong sign", """
a1 = np.tanh(X @ W1 + b1)
z = (a1 @ W2)[:, 0] + b2[0]
J = np.mean(np.logaddexp(0.0, z) - y * z)
delta2 = ((y - 0.5 * (1 + np.tanh(z / 2))) / len(y))[:, None]
delta1 = (delta2 @ W2.T) * (1 - a1**2)
return J, (X.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0))"""),
        M("times too small", """
a1 = np.tanh(X @ W1 + b1)
z = (a1 @ W2)[:, 0] + b2[0]
J = np.mean(np.logaddexp(0.0, z) - y * z)
delta2 = ((0.5 * (1 + np.tanh(z / 2)) - y) / len(y))[:, None]
delta1 = (delta2 @ W2.T) * (1 - a1**2)
return J, (X.T @ delta1, delta1.mean(axis=0), a1.T @ delta2, delta2.sum(axis=0))"""),
        M("the loss J is the sum over the examples", """
a1 = np.tanh(X @ W1 + b1)
z = (a1 @ W2)[:, 0] + b2[0]
J = np.sum(np.logaddexp(0.0, z) - y * z)
delta2 = ((0.5 * (1 + np.tanh(z / 2)) - y) / len(y))[:, None]
delta1 = (delta2 @ W2.T) * (1 - a1**2)
return J, (X.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0))"""),
        M("computes the wrong loss J", """
a1 = np.tanh(X @ W1 + b1)
z = (a1 @ W2)[:, 0] + b2[0]
J = np.mean(np.log(1 + np.exp(z)) + y * z)
delta2 = ((0.5 * (1 + np.tanh(z / 2)) - y) / len(y))[:, None]
delta1 = (delta2 @ W2.T) * (1 - a1**2)
return J, (X.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0))"""),
        M("returns (grads, J): the values are swapped", """
a1 = np.tanh(X @ W1 + b1)
z = (a1 @ W2)[:, 0] + b2[0]
J = np.mean(np.logaddexp(0.0, z) - y * z)
delta2 = ((0.5 * (1 + np.tanh(z / 2)) - y) / len(y))[:, None]
delta1 = (delta2 @ W2.T) * (1 - a1**2)
return (X.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0)), J"""),
        M("returns its gradients in the order (dW2, db2, dW1, db1)", """
a1 = np.tanh(X @ W1 + b1)
z = (a1 @ W2)[:, 0] + b2[0]
J = np.mean(np.logaddexp(0.0, z) - y * z)
delta2 = ((0.5 * (1 + np.tanh(z / 2)) - y) / len(y))[:, None]
delta1 = (delta2 @ W2.T) * (1 - a1**2)
return J, (a1.T @ delta2, delta2.sum(axis=0), X.T @ delta1, delta1.sum(axis=0))"""),
        M("returns db2 as a number, not a numpy array", """
a1 = np.tanh(X @ W1 + b1)
z = (a1 @ W2)[:, 0] + b2[0]
J = np.mean(np.logaddexp(0.0, z) - y * z)
delta2 = ((0.5 * (1 + np.tanh(z / 2)) - y) / len(y))[:, None]
delta1 = (delta2 @ W2.T) * (1 - a1**2)
return J, (X.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum())"""),
        M("returns 5 values, not the pair", """
a1 = np.tanh(X @ W1 + b1)
z = (a1 @ W2)[:, 0] + b2[0]
J = np.mean(np.logaddexp(0.0, z) - y * z)
delta2 = ((0.5 * (1 + np.tanh(z / 2)) - y) / len(y))[:, None]
delta1 = (delta2 @ W2.T) * (1 - a1**2)
return J, X.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0)"""),
        M("changes its input X in place", """
X -= 0
X *= 1.5
a1 = np.tanh(X @ W1 + b1)
z = (a1 @ W2)[:, 0] + b2[0]
J = np.mean(np.logaddexp(0.0, z) - y * z)
delta2 = ((0.5 * (1 + np.tanh(z / 2)) - y) / len(y))[:, None]
delta1 = (delta2 @ W2.T) * (1 - a1**2)
return J, (X.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0))"""),
        M("returns None", """
a1 = np.tanh(X @ W1 + b1)
z = (a1 @ W2)[:, 0] + b2[0]
J = np.mean(np.logaddexp(0.0, z) - y * z)"""),
    ],
    "gd_lr": [
        M("one of the sweep's seven values", "return 10 ** 0.5"),
        M("gradient descent diverges", "return 1e4"),
        M("not 100%", "return 0.05"),
        M("returns a str, not a number", 'return "2.0"'),
        M("a learning rate is a number > 0", "return -2.0"),
        M("returns None", "alpha = 2.0"),
    ],
}


# --------------------------------------------------------------------------- typing an answer into a lesson
import re  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")


def answer(stub_cell: str, mistake: Mistake) -> str:
    """The lesson's exercise cell ``stub_cell`` with the student's ``mistake`` typed in place of the stub."""
    if mistake.cell:
        return mistake.code.strip("\n")
    lines = stub_cell.split("\n")
    for i, (a, b) in enumerate(zip(lines, lines[1:])):
        if a.strip() == STUB[0] and b.strip() == STUB[1]:
            indent = a[: len(a) - len(a.lstrip())]
            return "\n".join(lines[:i] + [indent + line if line else line for line in mistake.lines] + lines[i + 2:])
    raise ValueError("the cell has no `# YOUR CODE HERE` / `raise NotImplementedError()` stub")


def syntax_error(stub_cell: str) -> str:
    """The exercise cell with an answer that does not parse (an unclosed bracket)."""
    return answer(stub_cell, Mistake("", "return (theta - lr * grad"))


def exercise_cells(folder: str = "lessons") -> dict:
    """{exercise name (its grade_id): (notebook file name, cell index, cell source)} over ``folder``."""
    import nbformat

    found = {}
    for path in sorted((ROOT / folder).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("solution"):
                found[meta["grade_id"]] = (path.name, i, cell.source)
    return found


def function_name(cell_source: str) -> str:
    match = re.search(r"^def (\w+)\(", cell_source, flags=re.M)
    return match.group(1) if match else ""
