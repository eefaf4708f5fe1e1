"""Benchmark: building a referral packet with 500 MB of evidence, against ``zip -0`` (issue 7).

One run, side by side, alternating, each measurement in a fresh process:

* baseline: ``zip -0 -q out.zip <the 50 stored evidence files>`` (Info-ZIP, no compression,
  CRC-32 only), and for reference Python's ``zipfile`` writing the same files ZIP_STORED;
* the app: :func:`enforcement.packets.services.start_download` for the receiving police user,
  its stream written to a file — jurisdiction check, download record and audit row, the three
  transfer PDFs from the database, the 50 evidence files read in 1 MiB chunks, each hashed
  (SHA-256) and checked against its stored hash, the signed manifest last.

Both read the same files from the page cache (read once before the first run) and write to
the same disk. Reported: throughput (MB/s of evidence, median of the runs), the app's ratio to
``zip -0`` (target ≥ 70 %), and the peak RSS growth of the building process (VmHWM after the
build minus VmHWM just before it; target < 64 MB).

    .venv/bin/python bench/packet_build.py [--files 50] [--size-mb 10] [--repeat 3] [--keep DIR]

Set-up (a few seconds plus writing 500 MB twice): a temporary directory with a migrated SQLite
database holding one bureau, one police unit and user, one case referred to that unit with
three issued PDFs (stand-ins rendered once, stored as documents are) and the evidence files,
stored through the evidence storage (so their hashes are the upload hashes).
Figures go to stdout and bench/results/packet_build.txt.
"""
import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "packet_build.txt"
MB = 1024 * 1024


def _vm(field: str) -> int:
    """A /proc/self/status figure in bytes (VmHWM: peak resident set; VmRSS: current)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> None:
    """Start VmHWM afresh from the current RSS (Linux ≥ 4.0), so that the peak measured is
    the build's, not the imports' or the app set-up's."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass  # the peak since start is then an upper bound of the one before the build


def _app(workdir: Path):
    from enforcement import create_app

    return create_app("config.Config",
                      SQLALCHEMY_DATABASE_URI=f"sqlite:///{workdir / 'bench.sqlite3'}",
                      STORAGE_DIR=str(workdir / "storage"),
                      PACKET_SIGNING_KEY_FILE=str(workdir / "packet_signing_key.pem"),
                      SECRET_KEY="bench")


# -- set-up (child process) ------------------------------------------------------------------


def setup(workdir: Path, files: int, size_mb: int) -> None:
    from flask_migrate import upgrade

    app = _app(workdir)
    with app.app_context():
        upgrade()
        referral_id, paths = _rows(files, size_mb)
    (workdir / "setup.json").write_text(json.dumps({"referral_id": referral_id,
                                                    "paths": paths}))


def _rows(files: int, size_mb: int):
    from enforcement.auth.roles import sync_roles
    from enforcement.auth.services import create_user
    from enforcement.cases.models import Case, CaseSource
    from enforcement.documents.models import Document
    from enforcement.evidence.models import Evidence
    from enforcement.evidence.storage import get_storage
    from enforcement.extensions import db
    from enforcement.orgs.models import OrgUnit, UnitKind
    from enforcement.referrals.models import Referral, ReferralKind
    from workflows.states import CaseState

    sync_roles()
    bureau = OrgUnit(code="bench_amr", name="压测市场监督管理局", short_name="压测",
                     kind=UnitKind.bureau, district="bench")
    police = OrgUnit(code="bench_police", name="压测公安局", short_name="压公",
                     kind=UnitKind.police, district="bench")
    db.session.add_all([bureau, police])
    db.session.flush()
    create_user("bench_police", "压测经侦", "bench-pass-2026", roles=["police"], unit=police)
    case = Case(report_no="BJ-PACKET-1", state=CaseState.referred, unit_id=bureau.id,
                source=CaseSource.inspection, cause="涉嫌销售侵犯注册商标专用权的商品（压测数据）",
                district="bench")
    db.session.add(case)
    db.session.flush()
    for n, code in enumerate(("transfer_letter", "transfer_report", "seized_goods_list")):
        pdf = b"%PDF-1.7\n" + os.urandom(250 * 1024) + b"\n%%EOF\n"  # a notice's size
        db.session.add(Document(case_id=case.id, unit_id=bureau.id, doc_type=code,
                                number=f"压测刑移〔2026〕{n + 1}号" if n == 0 else None,
                                title=code, pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(),
                                page_count=1))
    storage, paths = get_storage(), []
    for n in range(files):
        source = _random_file(size_mb)
        key, size, sha256 = storage.put(source)
        db.session.add(Evidence(case_id=case.id, original_name=f"现场录像{n + 1:02}.mp4",
                                content_type="video/mp4", size=size, sha256=sha256,
                                storage_key=key))
        paths.append(str(storage._path(key)))
    referral = Referral(case_id=case.id, kind=ReferralKind.police, unit_id=police.id)
    db.session.add(referral)
    db.session.commit()
    return referral.id, paths


def _random_file(size_mb: int):
    import io

    # random bytes, so that nothing could compress them (both sides store anyway)
    return io.BytesIO(os.urandom(size_mb * MB))


# -- measurements (child processes) ----------------------------------------------------------


def build(workdir: Path, out: Path) -> None:
    """The app's packet for the police user, written to ``out``; prints timing and RSS."""
    from sqlalchemy import select

    app = _app(workdir)
    referral_id = json.loads((workdir / "setup.json").read_text())["referral_id"]
    with app.app_context():
        from enforcement.auth.models import User
        from enforcement.extensions import db
        from enforcement.packets import keys
        from enforcement.packets.services import start_download

        user = db.session.scalar(select(User).where(User.username == "bench_police"))
        keys.signing_key()  # made on first use: not part of the build
        _reset_peak()
        before_hwm, before_rss = _vm("VmHWM"), _vm("VmRSS")
        started = time.perf_counter()
        packet = start_download(referral_id, user, via="cli")
        with open(out, "wb") as target:
            for chunk in packet.chunks:
                target.write(chunk)
        elapsed = time.perf_counter() - started
        after_hwm = _vm("VmHWM")
    print(json.dumps({"elapsed": elapsed, "before_hwm": before_hwm, "before_rss": before_rss,
                      "after_hwm": after_hwm, "bytes": out.stat().st_size}))


def pyzip(workdir: Path, out: Path) -> None:
    import zipfile

    paths = json.loads((workdir / "setup.json").read_text())["paths"]
    _reset_peak()
    before = _vm("VmHWM")
    started = time.perf_counter()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        for path in paths:
            archive.write(path, arcname=Path(path).name)
    elapsed = time.perf_counter() - started
    print(json.dumps({"elapsed": elapsed, "before_hwm": before, "after_hwm": _vm("VmHWM"),
                      "bytes": out.stat().st_size}))


# -- the run (parent) ------------------------------------------------------------------------


def _child(mode: str, workdir: Path, *extra: str) -> dict:
    result = subprocess.run([sys.executable, __file__, "--child", mode, "--workdir",
                             str(workdir), *extra], capture_output=True, text=True, cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1]) if mode != "setup" else {}


def _zip0(paths: list[str], out: Path) -> dict:
    started = time.perf_counter()
    subprocess.run(["zip", "-0", "-q", "-j", str(out), *paths], check=True)
    return {"elapsed": time.perf_counter() - started, "bytes": out.stat().st_size}


def _verify(workdir: Path, out: Path) -> bool:
    app = _app(workdir)
    with app.app_context():
        from enforcement.packets import keys
        from enforcement.packets.verify import verify_packet

        with open(out, "rb") as stream:
            return verify_packet(stream, keys.public_key()).valid


def run(args) -> None:
    zip_bin = shutil.which("zip")
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="packet-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        _child("setup", workdir, "--files", str(args.files), "--size-mb", str(args.size_mb))
        paths = json.loads((workdir / "setup.json").read_text())["paths"]
        evidence_mb = args.files * args.size_mb
        for path in paths:  # into the page cache for every contender alike
            with open(path, "rb") as stream:
                while stream.read(8 * MB):
                    pass
        runs = {"zip": [], "pyzip": [], "app": []}
        out = workdir / "out.zip"
        for _ in range(args.repeat):
            if zip_bin:
                out.unlink(missing_ok=True)
                runs["zip"].append(_zip0(paths, out))
            out.unlink(missing_ok=True)
            runs["pyzip"].append(_child("pyzip", workdir, "--out", str(out)))
            out.unlink(missing_ok=True)
            runs["app"].append(_child("build", workdir, "--out", str(out)))
        valid = _verify(workdir, out)
        _report(runs, evidence_mb, args, zip_bin, valid)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def _report(runs, evidence_mb, args, zip_bin, valid) -> None:
    def rate(key):
        return evidence_mb / statistics.median(r["elapsed"] for r in runs[key]) \
            if runs[key] else None

    app_rate, zip_rate, py_rate = rate("app"), rate("zip"), rate("pyzip")
    growth = max(r["after_hwm"] - r["before_hwm"] for r in runs["app"]) / MB
    py_growth = max(r["after_hwm"] - r["before_hwm"] for r in runs["pyzip"]) / MB
    baseline = zip_rate or py_rate
    ratio = app_rate / baseline
    lines = [
        f"packet build benchmark — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{os.cpu_count()} CPUs (shared), {args.files} × {args.size_mb} MB random evidence "
        f"= {evidence_mb} MB, median of {args.repeat} runs each, alternating, fresh processes,"
        " files in the page cache",
        "baseline: " + ("zip -0 -q (Info-ZIP " + _zip_version() + ")" if zip_bin
                        else "zip is not installed: Python zipfile ZIP_STORED is the baseline"),
    ]
    if zip_rate:
        lines.append(f"  zip -0               {zip_rate:8.1f} MB/s   runs (s): "
                     + ", ".join(f"{r['elapsed']:.2f}" for r in runs["zip"]))
    lines += [
        f"  python zipfile       {py_rate:8.1f} MB/s   runs (s): "
        + ", ".join(f"{r['elapsed']:.2f}" for r in runs["pyzip"]),
        f"  app packet build     {app_rate:8.1f} MB/s   runs (s): "
        + ", ".join(f"{r['elapsed']:.2f}" for r in runs["app"]),
        f"ratio app / {'zip -0' if zip_rate else 'zipfile'}: {ratio:.0%}   (target ≥ 70 %) "
        + ("PASS" if ratio >= 0.7 else "FAIL")
        + (f"   [app / python zipfile: {app_rate / py_rate:.0%}]" if zip_rate else ""),
        f"peak RSS growth while building: {growth:.1f} MB   (target < 64 MB) "
        + ("PASS" if growth < 64 else "FAIL")
        + f"   [RSS before the build {runs['app'][0]['before_rss'] / MB:.0f} MB; "
        f"python zipfile's growth {py_growth:.1f} MB]",
        f"packet size {runs['app'][-1]['bytes'] / MB:.1f} MB; verifies with the published key: "
        + ("yes" if valid else "NO"),
    ]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)


def _zip_version() -> str:
    try:
        first = subprocess.run(["zip", "-v"], capture_output=True, text=True).stdout
        for line in first.splitlines():
            if line.startswith("This is Zip"):
                return line.split()[3]
    except OSError:
        pass
    return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--size-mb", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", help="work in this directory and keep it")
    parser.add_argument("--child", choices=["setup", "build", "pyzip"], help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "setup":
        setup(Path(args.workdir), args.files, args.size_mb)
    elif args.child == "build":
        build(Path(args.workdir), Path(args.out))
    elif args.child == "pyzip":
        pyzip(Path(args.workdir), Path(args.out))
    else:
        run(args)


if __name__ == "__main__":
    main()
