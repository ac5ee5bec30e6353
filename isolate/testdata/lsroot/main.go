// Command lsroot prints the names in / on one line: the rootfs test runs it as
// the only program inside a pivoted root.
package main

import (
	"fmt"
	"os"
	"strings"
)

func main() {
	ents, err := os.ReadDir("/")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	fmt.Println(strings.Join(names, " "))
}
