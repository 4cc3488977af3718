"""Keep the checked config where only root can write, so runs need not re-parse it.

Parsing a catalogue of ten thousand aliases takes a quarter of a second, and
rkt-run starts before every containerised command. So a privileged run keeps
the checked document in a cache file, one per config path, and a later run
uses it only when every one of these holds; otherwise the file is ignored and
the config parsed as if there were no cache:

- this process can act as root (real, effective or saved uid 0);
- the config is a regular file owned by root that nobody else may write, and
  the same holds for every directory above it (the rules a run as root applies);
- the cache directory is root's alone (owner root, mode 0700, safe parents) and
  the cache file is too (a regular file, not a link, owner root, mode 0600);
- the stamp inside the file equals the stamp taken now: the config's path and
  identity (device, inode, size, modification and change times) and the code's
  version (see code_version).

A config changed less than SETTLE_NS ago is parsed but not cached: file times
tick coarsely, so a second change within the same tick, of the same size,
would otherwise leave the stamp unchanged.

A cache file holds the header's size and checksum, then the header, marshal'd:
(stamp, the document without its aliases, bucket bounds, bucket checksums),
then buckets of {name: (alias, exec, alias table, position)}, each name in
the bucket its crc32 chooses. An exec's entry leaves the table to its alias's
entry. A run for one name reads the header and one or two buckets, so its cost
does not grow with the catalogue; a damaged part fails its checksum.
"""

import marshal
import os
import sys
from zlib import crc32

from rktcore import privilege
from rktcore import config as configuration
from rktcore.config import Config

DIRECTORY = "/var/cache/rkttui"
SETTLE_NS = 2_000_000_000
NAMES_PER_BUCKET = 16
FORMAT = 1
TEMPORARY = ".new-"  # a cache file being written; never read
ABANDONED_AFTER_S = 60  # a write takes milliseconds; older ones were killed
FIRST_READ = 16384  # holds the header of a catalogue of ten thousand aliases
PREFIX = 8  # header size and checksum, four bytes each
# The package's files whose code decides what a checked config is, or how it
# is stored here; found by name, since a cache hit imports only some of them.
SCHEMA_FILES = ("config.py", "rules.py", "template.py", "cache.py")


def load(path: str, name: str | None = None) -> Config:
    """Return the checked config at path, from the cache where it may be trusted.

    Args:
        name: the alias or exec name the run plans for; the config returned then
            holds only the alias that name belongs to. None: every alias.
    """
    try:
        file = open(path, "rb")
    except OSError:
        return configuration.load(path)  # it says what is wrong, in one line
    with file:
        info = os.fstat(file.fileno())
        if not (privilege.privileged() and trusted_config(path, info)):
            return configuration.parse(path, content(file, path))
        stamp = stamp_of(path, info)
        with privilege.raised():
            cached = read(path, stamp, name)
        if cached is not None:
            return cached
        config = configuration.parse(path, content(file, path))
    if settled(info):
        with privilege.raised():
            write(path, stamp, config)
    return config


def content(file, path: str) -> bytes:
    """Return the config's bytes, or refuse in one line if they cannot be read."""
    try:
        return file.read()
    except OSError:
        return configuration.read_bytes(path)  # says what is wrong, or reads it


def trusted_config(path: str, info) -> bool:
    """Say whether root could trust the config: root's, and only root may change it."""
    from stat import S_ISREG

    if info.st_uid != 0 or info.st_mode & 0o022 or not S_ISREG(info.st_mode):
        return False
    return safe_path(path)


def safe_path(path: str) -> bool:
    """Say whether path and every directory above it pass the checks for root."""
    from rktcore.integrity import check_path
    from rktcore.messages import Refusal

    try:
        check_path(path, "cache", {})
    except Refusal:
        return False
    return True


def stamp_of(path: str, info) -> tuple:
    """Return what must not have changed since the cache file was written."""
    return (FORMAT, os.path.abspath(path), identity(info), code_version())


def identity(info) -> tuple:
    """Return a file's identity: device, inode, size, modification and change times."""
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns,
            info.st_ctime_ns)


def code_version() -> tuple:
    """Return what changes whenever the code that checks or stores configs changes.

    The identities of the schema's source files catch an edit in place, and the
    package directory's catches an upgrade (installers replace files by
    renaming, which changes the directory). A few stat calls cost microseconds;
    hashing the sources on every run would cost more and catch nothing more.
    """
    from rktcore import __file__ as package_file
    from rktcore import __version__

    package = os.path.dirname(package_file)
    files = [os.path.join(package, name) for name in SCHEMA_FILES]
    files.append(package)
    return (__version__, sys.hexversion,
            *(identity(os.stat(file)) for file in files))


def settled(info) -> bool:
    """Say whether the config last changed long enough ago to be cached."""
    from time import time_ns

    return time_ns() - max(info.st_mtime_ns, info.st_ctime_ns) >= SETTLE_NS


def entry_name(path: str) -> str:
    """Return the cache file's name for a config path: the path, escaped."""
    return os.path.abspath(path).replace("%", "%25").replace("/", "%2F")


def bucket_of(name: str, count: int) -> int:
    """Return the bucket that holds name, the same in every process."""
    return crc32(name.encode("utf-8", "surrogatepass")) % count


def read(path: str, stamp: tuple, name: str | None) -> Config | None:
    """Return the cached config for stamp, or None when none may be trusted."""
    directory = open_directory()
    if directory is None:
        return None
    try:
        fd = os.open(entry_name(path), os.O_RDONLY | os.O_NOFOLLOW, dir_fd=directory)
    except OSError:
        return None
    finally:
        os.close(directory)
    try:
        if not root_only(os.fstat(fd), 0o600):
            return None
        return read_entry(fd, path, stamp, name)
    except (ValueError, TypeError, EOFError, KeyError, IndexError, OSError):
        return None  # a damaged file: parse the config instead
    finally:
        os.close(fd)


def open_directory() -> int | None:
    """Open the cache directory if it is root's alone; return its descriptor."""
    try:
        fd = os.open(DIRECTORY, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return None
    if root_only(os.fstat(fd), 0o700) and safe_path(DIRECTORY):
        return fd
    os.close(fd)
    return None


def root_only(info, mode: int) -> bool:
    """Say whether a file or directory is owned by root with exactly mode."""
    from stat import S_IFMT, S_IMODE

    kind = 0o040000 if mode == 0o700 else 0o100000
    return (info.st_uid == 0 and S_IMODE(info.st_mode) == mode
            and S_IFMT(info.st_mode) == kind)


def read_entry(fd: int, path: str, stamp: tuple, name: str | None) -> Config | None:
    """Read a cache file; return its config if it is whole and its stamp matches."""
    head = os.read(fd, FIRST_READ)
    size = int.from_bytes(head[:4], "little")
    checksum = int.from_bytes(head[4:8], "little")
    if len(head) < PREFIX + size:
        head += os.pread(fd, PREFIX + size - len(head), len(head))
    header = intact(head[PREFIX : PREFIX + size], checksum)
    file_stamp, common, bounds, checksums = marshal.loads(header)
    if file_stamp != stamp:
        return None
    start = PREFIX + size
    if name is None:
        return whole_config(fd, path, common, start, bounds, checksums)
    entry = find(fd, start, bounds, checksums, name)
    if entry is not None and entry[2] is None:  # an exec: its alias holds the table
        entry = entry[:2] + find(fd, start, bounds, checksums, entry[0])[2:]
    return one_name_config(path, common, name, entry)


def find(fd: int, start: int, bounds: list, checksums: list, name: str):
    """Return the entry for name from the one bucket that may hold it, or None."""
    bucket = bucket_of(name, len(checksums))
    low, high = bounds[bucket], bounds[bucket + 1]
    blob = intact(os.pread(fd, high - low, start + low), checksums[bucket])
    return marshal.loads(blob).get(name)


def intact(blob: bytes, checksum: int) -> bytes:
    """Return blob, or refuse it if it does not match the checksum stored with it."""
    if checksum != crc32(blob):
        raise ValueError("damaged cache file")
    return blob


def one_name_config(path: str, common: dict, name: str, entry) -> Config:
    """Return a config holding only the alias that name belongs to, if any."""
    doc = dict(common)
    doc["alias"] = {}
    aliases = {}
    if entry is not None:
        alias, exe, table, _ = entry
        doc["alias"][alias] = table
        aliases[name] = (alias, exe)
    return Config(path, doc, aliases)


def whole_config(fd: int, path: str, common: dict, start: int, bounds: list,
                 checksums: list) -> Config:
    """Return the config with every alias, in the config file's order.

    Buckets are read one at a time and their entries put straight in place,
    so that no second copy of the catalogue is held on the way.
    """
    in_order = []
    for bucket in range(len(checksums)):
        low, high = bounds[bucket], bounds[bucket + 1]
        blob = intact(os.pread(fd, high - low, start + low), checksums[bucket])
        in_order += marshal.loads(blob).items()
    in_order.sort(key=lambda item: item[1][3])
    doc = dict(common)
    doc["alias"] = tables = {}
    aliases = {}
    for name, (alias, exe, table, _) in in_order:
        if table is not None:
            tables[alias] = table
        aliases[name] = (alias, exe)
    return Config(path, doc, aliases)


def write(path: str, stamp: tuple, config: Config) -> None:
    """Store config under stamp, atomically; give up quietly if that fails."""
    directory = make_directory()
    if directory is None:
        return
    temporary = f"{TEMPORARY}{os.getpid()}-{os.urandom(4).hex()}"
    encoded = encode(stamp, config)  # first: the file exists only while written
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                     | os.O_NOFOLLOW, 0o600, dir_fd=directory)
        with open(fd, "wb") as file:
            os.fchmod(fd, 0o600)  # whatever the umask
            file.write(encoded)
        os.rename(temporary, entry_name(path), src_dir_fd=directory,
                  dst_dir_fd=directory)
        prune(directory)
    except OSError:
        try:
            os.unlink(temporary, dir_fd=directory)
        except OSError:
            pass
    finally:
        os.close(directory)


def prune(directory: int) -> None:
    """Remove entries of configs that no longer exist, and writes killed midway."""
    from time import time

    for name in os.listdir(directory):
        path = config_path(name)
        if path and not os.path.lexists(path):
            os.unlink(name, dir_fd=directory)
        elif name.startswith(TEMPORARY) and abandoned(name, directory, time()):
            os.unlink(name, dir_fd=directory)


def abandoned(name: str, directory: int, now: float) -> bool:
    """Say whether a temporary file is older than any write still under way."""
    try:
        info = os.stat(name, dir_fd=directory, follow_symlinks=False)
    except OSError:
        return False
    return now - info.st_mtime > ABANDONED_AFTER_S


def config_path(name: str) -> str:
    """Return the config path an entry's name stands for, or "" for other files."""
    first, *rest = name.split("%")
    try:
        path = first + "".join({"25": "%", "2F": "/"}[part[:2]] + part[2:]
                               for part in rest)
    except KeyError:
        return ""
    return path if path.startswith("/") else ""


def make_directory() -> int | None:
    """Open the cache directory, making it root's alone if it does not exist."""
    try:
        os.mkdir(DIRECTORY, 0o700)
        os.chmod(DIRECTORY, 0o700)
    except OSError:
        pass  # it exists, or cannot be made; open_directory decides
    return open_directory()


def encode(stamp: tuple, config: Config) -> bytes:
    """Return a cache file's bytes: header, then the buckets of alias entries."""
    count = max(1, len(config.aliases) // NAMES_PER_BUCKET)
    buckets = [{} for _ in range(count)]
    tables = config.doc.get("alias", {})
    for position, (name, (alias, exe)) in enumerate(config.aliases.items()):
        table = None if exe else tables[alias]  # stored once, with the alias
        entry = (alias, exe, table, position)
        buckets[bucket_of(name, count)][name] = entry
    blobs = [marshal.dumps(bucket) for bucket in buckets]
    bounds = [0]
    for blob in blobs:
        bounds.append(bounds[-1] + len(blob))
    checksums = [crc32(blob) for blob in blobs]
    common = {key: value for key, value in config.doc.items() if key != "alias"}
    header = marshal.dumps((stamp, common, bounds, checksums))
    prefix = len(header).to_bytes(4, "little") + crc32(header).to_bytes(4, "little")
    return b"".join([prefix, header, *blobs])
