package isolate

import (
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// The views read mounts and interfaces again only when the kernel says they
// changed; these tests change them for real and check the cached answer
// follows, and that an unchanged answer equals a fresh read.

func TestCachedMountSummaryFollowsMounts(t *testing.T) {
	needRoot(t)
	root, count, err := cachedMountSummary()
	if err != nil {
		t.Fatal(err)
	}
	fr, fc, err := mountSummary()
	if err != nil || fr != root || fc != count {
		t.Fatalf("cached %q/%d, fresh %q/%d (%v)", root, count, fr, fc, err)
	}
	dir := t.TempDir()
	if err := unix.Mount("procbox-test", dir, "tmpfs", 0, "size=64k"); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	mounted := true
	t.Cleanup(func() {
		if mounted {
			unix.Unmount(dir, unix.MNT_DETACH)
		}
	})
	_, c2, err := cachedMountSummary()
	if err != nil || c2 != count+1 {
		t.Errorf("after a mount: %d mounts (%v), want %d", c2, err, count+1)
	}
	if _, c3, _ := cachedMountSummary(); c3 != c2 {
		t.Errorf("an unchanged table read %d then %d", c2, c3)
	}
	if err := unix.Unmount(dir, 0); err != nil {
		t.Fatal(err)
	}
	mounted = false
	if _, c4, _ := cachedMountSummary(); c4 != count {
		t.Errorf("after the unmount: %d mounts, want %d", c4, count)
	}
}

func ifaceNames(l []Interface) []string {
	var n []string
	for _, i := range l {
		n = append(n, i.Name)
	}
	return n
}

func TestCachedInterfacesFollowLinks(t *testing.T) {
	needRoot(t)
	before, err := cachedInterfaces()
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := interfaces()
	if err != nil || !slices.Equal(ifaceNames(before), ifaceNames(fresh)) {
		t.Fatalf("cached %v, fresh %v (%v)", ifaceNames(before), ifaceNames(fresh), err)
	}
	// A veth pair: this kernel may lack the dummy driver, the Lab needs veth.
	name := fmt.Sprintf("procbox-t%d", os.Getpid()%100000)
	link := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: name}, PeerName: fmt.Sprintf("procbox-u%d", os.Getpid()%100000)}
	if err := netlink.LinkAdd(link); err != nil {
		t.Skipf("cannot add a veth pair here: %v", err)
	}
	t.Cleanup(func() { netlink.LinkDel(link) })
	added, _ := cachedInterfaces()
	if !slices.Contains(ifaceNames(added), name) {
		t.Errorf("the new link %s is missing: %v", name, ifaceNames(added))
	}
	if err := netlink.LinkSetUp(link); err != nil {
		t.Fatal(err)
	}
	for _, i := range mustCached(t) {
		if i.Name == name && !i.Up {
			t.Errorf("%s was set up but reads down", name)
		}
	}
	if err := netlink.LinkDel(link); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(ifaceNames(mustCached(t)), name) {
		t.Errorf("the deleted link %s is still listed", name)
	}
}

func mustCached(t *testing.T) []Interface {
	t.Helper()
	l, err := cachedInterfaces()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestVisibleProcsLowestPIDs(t *testing.T) {
	n, names, err := visibleProcs(3)
	if err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range ents {
		if p, ok := parsePID(e.Name()); ok {
			pids = append(pids, p)
		}
	}
	slices.Sort(pids)
	// Processes come and go between the two reads; the count is close and
	// the names are the lowest PIDs, in order.
	if n < len(pids)/2 || n > len(pids)*2 || len(names) != 3 {
		t.Fatalf("%d processes %q, /proc lists %d", n, names, len(pids))
	}
	var got []int
	for _, s := range names {
		var p int
		fmt.Sscanf(s, "%d", &p)
		got = append(got, p)
	}
	if !slices.IsSorted(got) || got[0] != pids[0] {
		t.Errorf("names %q, lowest PIDs %v", names, pids[:3])
	}
}
