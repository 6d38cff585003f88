//go:build unix

package sqlitestore

import "syscall"

// readShm reads the start of the index file into buf, opening the
// descriptor when it is not open or the file it names was removed.
func readShm(f *shmFile, buf []byte) bool {
	f.mu.RLock()
	fd := f.fd
	if fd >= 0 {
		switch linked, ok := readLinked(fd, buf); {
		case !ok:
			f.mu.RUnlock()
			return false
		case linked:
			f.mu.RUnlock()
			return true
		}
	}
	f.mu.RUnlock()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fd >= 0 && f.fd == fd {
		// Removed (or never opened): no connection of this process has
		// the removed file open (see walstamp.go), so closing its
		// descriptor drops no lock of SQLite's.
		closeFD(f.fd)
		f.fd = -1
	}
	if f.fd < 0 {
		nfd, err := syscall.Open(f.path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			return false
		}
		f.fd = nfd
	}
	linked, ok := readLinked(f.fd, buf)
	return ok && linked
}

// readLinked reads the start of the file open as fd into buf; linked is
// false when the file was removed (buf then means nothing).
func readLinked(fd int, buf []byte) (linked, ok bool) {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return false, false
	}
	if st.Nlink == 0 {
		return false, true
	}
	n, err := syscall.Pread(fd, buf, 0)
	return true, err == nil && n == len(buf)
}

func closeFD(fd int) { _ = syscall.Close(fd) }
