"""Self-test of the gradscope/1 Python adapter and of Examples/exec/.

Standard library only.  Each example is started the way GradScope starts it
(`sh -c "<command>"`) and driven through the protocol: hello, evaluate with a
gradient, sparse offsets, full points, error paths, exit.  The gradients the
examples send are compared with central differences computed through the same
protocol.  This is a sanity test of the examples and the adapter, not of
GradScope's own checker.

Every pure-Python example is run twice when numpy is installed: once as is
(the adapter hands the cost a numpy array) and once with numpy made
unimportable (the adapter hands it a list).

    python3 -m unittest python/test_gradscope_exec.py      # from the repo root
    python3 python/test_gradscope_exec.py
"""

import contextlib
import io
import json
import math
import shlex
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EXAMPLES = ROOT / "Examples" / "exec"
GOLDEN = ROOT / "Tests" / "Fixtures" / "ex4" / "ex4_debug_golden.json"

sys.path.insert(0, str(HERE))
import gradscope_exec  # noqa: E402

try:
    import numpy  # noqa: F401
    HAVE_NUMPY = True
except ImportError:
    HAVE_NUMPY = False

# Run a script with `import numpy` made to fail (sys.modules[name] = None).
BLOCK_NUMPY = ("import runpy, sys; sys.modules['numpy'] = None; "
               "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')")

STEP = 1e-5  # central-difference step


def relative_difference(a, b):
    """norm(a - b) / norm(a + b), as in ex4's checkNNGradients."""
    num = math.sqrt(sum((u - v) ** 2 for u, v in zip(a, b)))
    den = math.sqrt(sum((u + v) ** 2 for u, v in zip(a, b)))
    return num / den if den else num


class Program:
    """A program under test, started with sh -c and spoken to line by line."""

    def __init__(self, script, args=(), block_numpy=False):
        words = [sys.executable]
        if block_numpy:
            words += ["-c", BLOCK_NUMPY]
        words += [str(script)] + list(args)
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            ["sh", "-c", " ".join(shlex.quote(w) for w in words)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
            text=True)
        self.next_id = 0
        self.hello = self._read()

    def _read(self):
        line = self.proc.stdout.readline()
        if not line:
            self.stderr.seek(0)
            raise AssertionError("program closed stdout; stderr:\n" + self.stderr.read())
        return json.loads(line)

    def send(self, obj):
        self.proc.stdin.write(json.dumps(obj) + "\n")
        self.proc.stdin.flush()

    def request(self, **fields):
        """Send an evaluate request and return the response (ids checked)."""
        self.next_id += 1
        self.send(dict(id=self.next_id, op="evaluate", **fields))
        response = self._read()
        assert response.get("id") == self.next_id, response
        return response

    def value(self, **fields):
        response = self.request(**fields)
        assert "error" not in response, response
        return response["value"]

    def finish(self, send_exit=True):
        """Say exit (or just close stdin) and return the exit status."""
        if send_exit:
            self.send({"op": "exit"})
        self.proc.stdin.close()
        status = self.proc.wait(timeout=30)
        self.proc.stdout.close()
        self.stderr.close()
        return status

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


# name, arguments, is the gradient correct?, needs numpy?
CASES = [
    ("ex4_nncost.py", [], True, False),
    ("ex4_nncost.py", ["--lambda", "0"], True, False),
    ("ex4_nncost_bug.py", [], False, False),
    ("cs231n_twolayer.py", [], True, False),
    ("softmax_ce_nodes.py", [], True, False),
    ("softmax_ce_nodes.py", ["--diagonal-bug"], False, False),
    ("numpy_ex4_nncost.py", [], True, True),
]


class ExampleProtocolTest(unittest.TestCase):
    """Drive every example through the whole protocol."""

    def variants(self, needs_numpy):
        """(label, block_numpy) pairs to run an example under."""
        if needs_numpy:
            return [("numpy", False)] if HAVE_NUMPY else []
        return [("numpy", False), ("no numpy", True)] if HAVE_NUMPY else [("no numpy", False)]

    def test_examples(self):
        for name, args, correct, needs_numpy in CASES:
            for label, block in self.variants(needs_numpy):
                with self.subTest(example=name, args=args, mode=label):
                    program = Program(EXAMPLES / name, args, block_numpy=block)
                    try:
                        self.check_example(program, correct)
                        self.assertEqual(program.finish(), 0)
                    finally:
                        program.kill()

    def check_example(self, p, correct):
        hello = p.hello
        self.assertEqual(hello["protocol"], "gradscope/1")
        x0 = hello["x"]
        n = len(x0)
        sizes = [math.prod(b["shape"]) for b in hello["parameters"]]
        self.assertEqual(sum(sizes), n)
        self.assertEqual(hello.get("dtype"), "float64")

        # Value and gradient at the hello point.
        first = p.request(gradient=True)
        self.assertEqual(len(first["gradient"]), n)
        value = first["value"]
        self.assertTrue(math.isfinite(value))
        plain = p.request()
        self.assertNotIn("gradient", plain)
        self.assertEqual(plain["value"], value)

        # A sparse offset is the same point as the full x it describes.
        idx = [0, n - 1]
        steps = [1e-3, -2e-3]
        moved = list(x0)
        for i, s in zip(idx, steps):
            moved[i] += s
        self.assertEqual(p.value(offset={"indices": idx, "values": steps}),
                         p.value(x=moved))

        # Central differences through sparse offsets, at the hello point.
        numeric = [(p.value(offset={"indices": [i], "values": [STEP]})
                    - p.value(offset={"indices": [i], "values": [-STEP]})) / (2 * STEP)
                   for i in range(n)]
        difference = relative_difference(numeric, first["gradient"])
        if correct:
            self.assertLess(difference, 1e-7)
        else:
            self.assertGreater(difference, 1e-2)

        # Gradient at a full point, checked with full-point requests.
        x1 = [v + 1e-2 * math.sin(i + 1) for i, v in enumerate(x0)]
        at_x1 = p.request(x=x1, gradient=True)
        numeric = []
        for i in range(n):
            plus, minus = list(x1), list(x1)
            plus[i] += STEP
            minus[i] -= STEP
            numeric.append((p.value(x=plus) - p.value(x=minus)) / (2 * STEP))
        difference = relative_difference(numeric, at_x1["gradient"])
        if correct:
            self.assertLess(difference, 1e-7)
        else:
            self.assertGreater(difference, 1e-2)

        # Error paths: the program answers with an error and keeps serving.
        self.assertIn("error", p.request(x=x0[:-1]))
        self.assertIn("error", p.request(offset={"indices": [n], "values": [1.0]}))
        p.send({"id": "bad", "op": "no-such-op"})
        self.assertIn("error", p._read())
        self.assertEqual(p.value(), value)
        return first

    def test_ex4_bug_points_at_bias_columns(self):
        """The ex4 bug changes exactly column 0 of Theta1 and Theta2."""
        good = Program(EXAMPLES / "ex4_nncost.py")
        bad = Program(EXAMPLES / "ex4_nncost_bug.py")
        try:
            g = good.request(gradient=True)["gradient"]
            b = bad.request(gradient=True)["gradient"]
            wrong = [i for i, (u, v) in enumerate(zip(g, b)) if abs(u - v) > 1e-12]
            theta1_bias = [r * 4 for r in range(5)]        # Theta1 is 5 x 4
            theta2_bias = [20 + r * 6 for r in range(3)]   # Theta2 is 3 x 6
            self.assertEqual(wrong, theta1_bias + theta2_bias)
            self.assertEqual(good.finish(), 0)
            self.assertEqual(bad.finish(send_exit=False), 0)  # end of input
        finally:
            good.kill()
            bad.kill()

    @unittest.skipUnless(GOLDEN.exists(), "golden file not found")
    def test_ex4_matches_golden(self):
        golden = json.loads(GOLDEN.read_text())
        scripts = ["ex4_nncost.py"] + (["numpy_ex4_nncost.py"] if HAVE_NUMPY else [])
        for case in golden["cases"]:
            if case["fill"] != "columnMajor":
                continue
            for script in scripts:
                with self.subTest(script=script, lam=case["lambda"]):
                    p = Program(EXAMPLES / script, ["--lambda", repr(case["lambda"])])
                    try:
                        x = [v for row in case["Theta1"] + case["Theta2"] for v in row]
                        for a, b in zip(p.hello["x"], x):
                            self.assertAlmostEqual(a, b, delta=1e-15)
                        r = p.request(gradient=True)
                        self.assertAlmostEqual(r["value"], case["J"], delta=1e-13)
                        for a, b in zip(r["gradient"], case["grad_unrolled_rowmajor"]):
                            self.assertAlmostEqual(a, b, delta=1e-14)
                        self.assertEqual(p.finish(), 0)
                    finally:
                        p.kill()


class AdapterTest(unittest.TestCase):
    """serve() in-process, with string streams."""

    def run_serve(self, cost, x0, requests, **kwargs):
        stdin = io.StringIO("".join(json.dumps(r) + "\n" for r in requests))
        stdout = io.StringIO()
        gradscope_exec.serve(cost, x0, stdin=stdin, stdout=stdout, **kwargs)
        return [json.loads(line) for line in stdout.getvalue().splitlines()]

    def test_hello_without_parameters(self):
        hello, = self.run_serve(lambda x: 0.0, [1.0, 2.0], [])
        self.assertEqual(hello, {"protocol": "gradscope/1", "x": [1.0, 2.0]})

    def test_length_mismatch_raises_before_hello(self):
        stdout = io.StringIO()
        with self.assertRaises(ValueError):
            gradscope_exec.serve(lambda x: 0.0, [1.0, 2.0, 3.0],
                                 parameters=[("W", (2, 2))],
                                 stdin=io.StringIO(""), stdout=stdout)
        self.assertEqual(stdout.getvalue(), "")

    def test_gradient_shapes_are_flattened_row_major(self):
        def cost(x):
            # gradient as nested rows: [[x0, x1], [x2, x3]], then a bias list
            return sum(v * v for v in x) / 2, ([[x[0], x[1]], [x[2], x[3]]], [x[4]])

        out = self.run_serve(cost, [1.0, 2.0, 3.0, 4.0, 5.0],
                             [{"id": 1, "op": "evaluate", "gradient": True}],
                             parameters=[("W", (2, 2)), ("b", 1)], dtype="float64")
        self.assertEqual(out[0]["parameters"],
                         [{"name": "W", "shape": [2, 2]}, {"name": "b", "shape": [1]}])
        self.assertEqual(out[0]["dtype"], "float64")
        self.assertEqual(out[1], {"id": 1, "value": 27.5,
                                  "gradient": [1.0, 2.0, 3.0, 4.0, 5.0]})

    def test_offset_and_full_x(self):
        seen = []

        def cost(x):
            seen.append([float(v) for v in x])
            return sum(x)

        out = self.run_serve(cost, [1.0, 2.0, 3.0], [
            {"id": 1, "op": "evaluate", "offset": {"indices": [0, 2], "values": [0.5, -1.0]}},
            {"id": 2, "op": "evaluate", "x": [10.0, 20.0, None]},
            {"id": 3, "op": "evaluate"},
            {"op": "exit"},
            {"id": 4, "op": "evaluate"},  # after exit: not answered
        ])
        self.assertEqual([r["id"] for r in out[1:]], [1, 2, 3])
        self.assertEqual(seen[0], [1.5, 2.0, 2.0])
        self.assertEqual(out[1]["value"], 5.5)
        self.assertTrue(math.isnan(out[2]["value"]))  # null stands for NaN
        self.assertEqual(seen[2], [1.0, 2.0, 3.0])    # the hello point is unchanged

    def test_cost_exception_is_reported_and_serving_goes_on(self):
        def cost(x):
            if x[0] > 1.5:
                raise ZeroDivisionError("no cost here")
            return 1.0

        with contextlib.redirect_stderr(io.StringIO()):  # the traceback goes there
            out = self.run_serve(cost, [1.0], [
                {"id": 1, "op": "evaluate", "x": [2.0]},
                "not an object",
                {"id": 2, "op": "evaluate", "gradient": True},  # no gradient returned
                {"id": 3, "op": "evaluate"},
            ])
        self.assertEqual(out[1]["id"], 1)
        self.assertIn("no cost here", out[1]["error"])
        self.assertIsNone(out[2]["id"])
        self.assertIn("error", out[2])
        self.assertEqual(out[3]["id"], 2)
        self.assertIn("gradient", out[3]["error"])
        self.assertEqual(out[4], {"id": 3, "value": 1.0})

    def test_print_in_cost_does_not_reach_protocol_stream(self):
        def cost(x):
            print("debugging output")
            return 0.0

        fake_stdout, fake_stderr = io.StringIO(), io.StringIO()
        with mock.patch.object(sys, "stdout", fake_stdout), \
                mock.patch.object(sys, "stderr", fake_stderr):
            gradscope_exec.serve(cost, [0.0],
                                 stdin=io.StringIO('{"id": 1, "op": "evaluate"}\n'))
        lines = fake_stdout.getvalue().splitlines()
        self.assertEqual(len(lines), 2)
        self.assertEqual(json.loads(lines[1]), {"id": 1, "value": 0.0})
        self.assertIn("debugging output", fake_stderr.getvalue())

    def test_non_finite_values(self):
        out = self.run_serve(lambda x: (math.inf, [math.nan]), [0.0],
                             [{"id": 1, "op": "evaluate", "gradient": True}])
        self.assertEqual(out[1]["value"], math.inf)
        self.assertTrue(math.isnan(out[1]["gradient"][0]))


if __name__ == "__main__":
    unittest.main()
