package listing

import (
	"bytes"
	"io"
)

// A lineCounter sits between a reader and a json.Decoder and turns the
// decoder's input offsets into lines and columns. It keeps only the bytes
// from the last offset it was asked about to the end of what the decoder
// has read, so its memory stays within the size of the decoder's own
// buffer, whatever the size of the input. Offsets must be asked about in
// increasing order.
type lineCounter struct {
	r    io.Reader
	buf  []byte // buf[i:] is the input from offset off on
	i    int
	off  int64
	line int // position of offset off
	col  int
}

func newLineCounter(r io.Reader) *lineCounter {
	return &lineCounter{r: r, line: 1, col: 1}
}

// Read reads from the underlying reader and keeps what it passes on.
func (lc *lineCounter) Read(p []byte) (int, error) {
	n, err := lc.r.Read(p)
	if lc.i > 0 && lc.i >= len(lc.buf)/2 {
		lc.buf = lc.buf[:copy(lc.buf, lc.buf[lc.i:])]
		lc.i = 0
	}
	lc.buf = append(lc.buf, p[:n]...)
	return n, err
}

// end returns the offset just past what has been read.
func (lc *lineCounter) end() int64 { return lc.off + int64(len(lc.buf)-lc.i) }

// advance moves to offset off, counting the lines it passes; offsets
// outside what is kept are clamped.
func (lc *lineCounter) advance(off int64) {
	k := off - lc.off
	if k <= 0 {
		return
	}
	if live := int64(len(lc.buf) - lc.i); k > live {
		k = live
	}
	seg := lc.buf[lc.i : lc.i+int(k)]
	if n := bytes.Count(seg, []byte{'\n'}); n > 0 {
		lc.line += n
		lc.col = len(seg) - bytes.LastIndexByte(seg, '\n')
	} else {
		lc.col += len(seg)
	}
	lc.i += int(k)
	lc.off += k
}

// pos returns the line and column of offset off.
func (lc *lineCounter) pos(off int64) (line, col int) {
	lc.advance(off)
	return lc.line, lc.col
}

// stringStart returns the offset of the opening quote of the JSON string
// whose closing quote is just before offset end.
func (lc *lineCounter) stringStart(end int64) int64 {
	live := lc.buf[lc.i:]
	e := int(end-lc.off) - 1 // the closing quote
	if e > len(live) {
		e = len(live)
	}
	for j := e - 1; j >= 0; j-- {
		if live[j] != '"' {
			continue
		}
		k := j
		for k > 0 && live[k-1] == '\\' {
			k--
		}
		if (j-k)%2 == 0 {
			return lc.off + int64(j)
		}
	}
	return lc.off
}
