// Package crc is the CRC-64 (ECMA) of the stored fingerprints
// (plan_hash, plan_inputs, the rules' fingerprint), for the few hundred
// bytes to a few kB a fingerprint sums: hash/crc64 gives the same sums,
// but below 64 bytes it goes a byte at a time and above it compares its
// 2 kB table with the slicing tables on every call, which a recompute of
// every request pays a million times over.
package crc

import (
	"encoding/binary"
	"hash/crc64"
	"unsafe"
)

// slicing are the ECMA tables for sixteen bytes at a time; slicing[0] is
// crc64.MakeTable(crc64.ECMA), slicing[k] a byte k places further back.
var slicing = func() *[16]crc64.Table {
	t := new([16]crc64.Table)
	t[0] = *crc64.MakeTable(crc64.ECMA)
	for i := range 256 {
		crc := t[0][i]
		for j := 1; j < 16; j++ {
			crc = t[0][crc&0xff] ^ (crc >> 8)
			t[j][i] = crc
		}
	}
	return t
}()

// Checksum is crc64.Checksum(p, crc64.MakeTable(crc64.ECMA)), sixteen
// bytes a step (the sixteen lookups of a step do not wait on each other).
func Checksum(p []byte) uint64 {
	return Update(0, p)
}

// Update is the Checksum of the bytes crc is the Checksum of followed by
// p (crc64.Update): Update(Checksum(a), b) is Checksum of a then b, so a
// long value is summed where it lies rather than copied after the others.
func Update(crc uint64, p []byte) uint64 {
	t := slicing
	crc = ^crc
	for len(p) >= 16 {
		a := binary.LittleEndian.Uint64(p) ^ crc
		b := binary.LittleEndian.Uint64(p[8:16])
		crc = t[15][a&0xff] ^
			t[14][(a>>8)&0xff] ^
			t[13][(a>>16)&0xff] ^
			t[12][(a>>24)&0xff] ^
			t[11][(a>>32)&0xff] ^
			t[10][(a>>40)&0xff] ^
			t[9][(a>>48)&0xff] ^
			t[8][a>>56] ^
			t[7][b&0xff] ^
			t[6][(b>>8)&0xff] ^
			t[5][(b>>16)&0xff] ^
			t[4][(b>>24)&0xff] ^
			t[3][(b>>32)&0xff] ^
			t[2][(b>>40)&0xff] ^
			t[1][(b>>48)&0xff] ^
			t[0][b>>56]
		p = p[16:]
	}
	if len(p) >= 8 {
		crc ^= binary.LittleEndian.Uint64(p)
		crc = t[7][crc&0xff] ^
			t[6][(crc>>8)&0xff] ^
			t[5][(crc>>16)&0xff] ^
			t[4][(crc>>24)&0xff] ^
			t[3][(crc>>32)&0xff] ^
			t[2][(crc>>40)&0xff] ^
			t[1][(crc>>48)&0xff] ^
			t[0][crc>>56]
		p = p[8:]
	}
	for _, v := range p {
		crc = t[0][byte(crc)^v] ^ (crc >> 8)
	}
	return ^crc
}

// UpdateString is Update of the bytes of s.
func UpdateString(crc uint64, s string) uint64 {
	return Update(crc, unsafe.Slice(unsafe.StringData(s), len(s)))
}
