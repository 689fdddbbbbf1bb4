// tsbcc/fs.h: open flags, file modes, permission masks, mount flags, dentry and inode helpers
// (asm-generic/fcntl.h, uapi/linux/stat.h, linux/fs.h, uapi/linux/mount.h, linux/dcache.h).
// DNAME_INLINE_LEN depends on the kernel: see kernel_facts.
import { defs, guarded, type DefTable } from './util.js';

const OPEN_FLAGS: DefTable = [
  ['O_ACCMODE', '00000003'], ['O_RDONLY', '00000000'], ['O_WRONLY', '00000001'], ['O_RDWR', '00000002'],
  ['O_CREAT', '00000100'], ['O_EXCL', '00000200'], ['O_NOCTTY', '00000400'], ['O_TRUNC', '00001000'],
  ['O_APPEND', '00002000'], ['O_NONBLOCK', '00004000'], ['O_DSYNC', '00010000'], ['FASYNC', '00020000'],
  ['O_DIRECT', '00040000'], ['O_LARGEFILE', '00100000'], ['O_DIRECTORY', '00200000'],
  ['O_NOFOLLOW', '00400000'], ['O_NOATIME', '01000000'], ['O_CLOEXEC', '02000000'],
  ['__O_SYNC', '04000000'], ['O_SYNC', '(__O_SYNC|O_DSYNC)'], ['O_PATH', '010000000'],
  ['__O_TMPFILE', '020000000'], ['O_TMPFILE', '(__O_TMPFILE | O_DIRECTORY)'], ['O_NDELAY', 'O_NONBLOCK'],
  ['AT_FDCWD', -100], ['AT_SYMLINK_NOFOLLOW', '0x100'], ['AT_EACCESS', '0x200'], ['AT_REMOVEDIR', '0x200'],
  ['AT_SYMLINK_FOLLOW', '0x400'], ['AT_NO_AUTOMOUNT', '0x800'], ['AT_EMPTY_PATH', '0x1000'],
  ['AT_RECURSIVE', '0x8000'],
  ['SEEK_SET', 0], ['SEEK_CUR', 1], ['SEEK_END', 2], ['SEEK_DATA', 3], ['SEEK_HOLE', 4], ['SEEK_MAX', 'SEEK_HOLE'],
  ['RENAME_NOREPLACE', '(1 << 0)'], ['RENAME_EXCHANGE', '(1 << 1)'], ['RENAME_WHITEOUT', '(1 << 2)'],
  ['RESOLVE_NO_XDEV', '0x01'], ['RESOLVE_NO_MAGICLINKS', '0x02'], ['RESOLVE_NO_SYMLINKS', '0x04'],
  ['RESOLVE_BENEATH', '0x08'], ['RESOLVE_IN_ROOT', '0x10'], ['RESOLVE_CACHED', '0x20'],
  ['RWF_HIPRI', '0x00000001'], ['RWF_DSYNC', '0x00000002'], ['RWF_SYNC', '0x00000004'],
  ['RWF_NOWAIT', '0x00000008'], ['RWF_APPEND', '0x00000010'],
];

const MODES: DefTable = [
  ['S_IFMT', '00170000'], ['S_IFSOCK', '0140000'], ['S_IFLNK', '0120000'], ['S_IFREG', '0100000'],
  ['S_IFBLK', '0060000'], ['S_IFDIR', '0040000'], ['S_IFCHR', '0020000'], ['S_IFIFO', '0010000'],
  ['S_ISUID', '0004000'], ['S_ISGID', '0002000'], ['S_ISVTX', '0001000'],
  ['S_IRWXU', '00700'], ['S_IRUSR', '00400'], ['S_IWUSR', '00200'], ['S_IXUSR', '00100'],
  ['S_IRWXG', '00070'], ['S_IRGRP', '00040'], ['S_IWGRP', '00020'], ['S_IXGRP', '00010'],
  ['S_IRWXO', '00007'], ['S_IROTH', '00004'], ['S_IWOTH', '00002'], ['S_IXOTH', '00001'],
  ['S_IRWXUGO', '(S_IRWXU|S_IRWXG|S_IRWXO)'], ['S_IALLUGO', '(S_ISUID|S_ISGID|S_ISVTX|S_IRWXUGO)'],
  ['S_IRUGO', '(S_IRUSR|S_IRGRP|S_IROTH)'], ['S_IWUGO', '(S_IWUSR|S_IWGRP|S_IWOTH)'],
  ['S_IXUGO', '(S_IXUSR|S_IXGRP|S_IXOTH)'],
  ['DT_UNKNOWN', 0], ['DT_FIFO', 1], ['DT_CHR', 2], ['DT_DIR', 4], ['DT_BLK', 6], ['DT_REG', 8],
  ['DT_LNK', 10], ['DT_SOCK', 12], ['DT_WHT', 14],
  ['MAY_EXEC', '0x00000001'], ['MAY_WRITE', '0x00000002'], ['MAY_READ', '0x00000004'],
  ['MAY_APPEND', '0x00000008'], ['MAY_ACCESS', '0x00000010'], ['MAY_OPEN', '0x00000020'],
  ['MAY_CHDIR', '0x00000040'], ['MAY_NOT_BLOCK', '0x00000080'],
  // file.f_mode: only the bits that have kept their values; the others moved in 6.x.
  ['FMODE_READ', '0x1'], ['FMODE_WRITE', '0x2'], ['FMODE_LSEEK', '0x4'], ['FMODE_PREAD', '0x8'],
  ['FMODE_PWRITE', '0x10'], ['FMODE_EXEC', '0x20'],
  ['IOCB_EVENTFD', '(1 << 16)'], ['IOCB_DIRECT', '(1 << 17)'], ['IOCB_WRITE', '(1 << 18)'],
];

const MOUNT: DefTable = [
  ['MS_RDONLY', 1], ['MS_NOSUID', 2], ['MS_NODEV', 4], ['MS_NOEXEC', 8], ['MS_SYNCHRONOUS', 16],
  ['MS_REMOUNT', 32], ['MS_MANDLOCK', 64], ['MS_DIRSYNC', 128], ['MS_NOSYMFOLLOW', 256],
  ['MS_NOATIME', 1024], ['MS_NODIRATIME', 2048], ['MS_BIND', 4096], ['MS_MOVE', 8192],
  ['MS_REC', 16384], ['MS_VERBOSE', 32768], ['MS_SILENT', 32768], ['MS_POSIXACL', '(1<<16)'],
  ['MS_UNBINDABLE', '(1<<17)'], ['MS_PRIVATE', '(1<<18)'], ['MS_SLAVE', '(1<<19)'], ['MS_SHARED', '(1<<20)'],
  ['MS_RELATIME', '(1<<21)'], ['MS_KERNMOUNT', '(1<<22)'], ['MS_I_VERSION', '(1<<23)'],
  ['MS_STRICTATIME', '(1<<24)'], ['MS_LAZYTIME', '(1<<25)'], ['MS_SUBMOUNT', '(1<<26)'],
  ['MS_NOREMOTELOCK', '(1<<27)'], ['MS_NOSEC', '(1<<28)'], ['MS_BORN', '(1<<29)'], ['MS_ACTIVE', '(1<<30)'],
  ['MS_NOUSER', '(1<<31)'], ['MS_MGC_VAL', '0xC0ED0000'], ['MS_MGC_MSK', '0xffff0000'],
  ['MNT_FORCE', '0x00000001'], ['MNT_DETACH', '0x00000002'], ['MNT_EXPIRE', '0x00000004'],
  ['UMOUNT_NOFOLLOW', '0x00000008'], ['UMOUNT_UNUSED', '0x80000000'],
];

export const FS_H = guarded('__TSBCC_FS_H', '\n' + defs(OPEN_FLAGS) + defs(MODES) + defs(MOUNT) + String.raw`
#define S_ISLNK(m) (((m) & S_IFMT) == S_IFLNK)
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISCHR(m) (((m) & S_IFMT) == S_IFCHR)
#define S_ISBLK(m) (((m) & S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)
#define S_ISSOCK(m) (((m) & S_IFMT) == S_IFSOCK)

#define file_inode(f) ((f)->f_inode)
#define file_dentry(f) ((f)->f_path.dentry)
#define d_inode(dentry) ((dentry)->d_inode)
#define d_backing_inode(dentry) ((dentry)->d_inode)
#define IS_ROOT(x) ((x) == (x)->d_parent)
#define i_size_read(inode) ((inode)->i_size)
`);
