// Package message is the catalogue of the texts the platform shows its
// users: every message in every language, keyed by a message key, with
// fmt-style placeholders for its arguments. The catalogue is data
// (catalogue.json), so that the web app and the docs can read the same
// texts, and a third language is one more entry per key. It imports
// nothing of the module; the engine and the API edges format their
// messages through it.
package message

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
)

// Key names one message of the catalogue, as "<concept>.<name>".
type Key string

// Languages every message has.
const (
	En = "en"
	Zh = "zh"
)

//go:embed catalogue.json
var catalogueJSON []byte

// catalogue maps each key to its text in each language. A text is a fmt
// format; where languages put the arguments in another order, or each uses
// its own, the placeholders name them ("%[2]s"). It is decoded when a
// message is first needed: a server answering no error need not hold it
// (about 280 KB; docs/performance.md, "Memory at start"). The tests read
// every key, so a broken catalogue fails them.
var catalogue = sync.OnceValue(func() map[Key]map[string]string {
	var c map[Key]map[string]string
	if err := json.Unmarshal(catalogueJSON, &c); err != nil {
		panic(fmt.Sprintf("message: catalogue.json: %v", err))
	}
	return c
})

// Text returns the message key in lang with args; an argument that is a
// [Message] is put in lang too. A language the message does not have
// falls back to English; a key the catalogue does not have (the tests rule
// it out) gives the key itself.
func Text(lang string, key Key, args ...any) string {
	texts, ok := catalogue()[key]
	if !ok {
		return string(key)
	}
	format, ok := texts[lang]
	if !ok {
		format = texts[En]
	}
	cloned := false
	for i, a := range args {
		if m, ok := a.(Message); ok {
			if !cloned {
				args, cloned = slices.Clone(args), true // the caller's arguments stay as they are
			}
			args[i] = m.In(lang)
		}
	}
	return fmt.Sprintf(format, args...)
}

// Message is a message of the catalogue with its arguments, not yet put
// into a language: a part of another message (see [Text]), or a message
// handed to code that picks the language later.
type Message struct {
	Key  Key
	Args []any
}

// New returns the message key with args.
func New(key Key, args ...any) Message {
	return Message{Key: key, Args: args}
}

// In returns the message in lang.
func (m Message) In(lang string) string {
	return Text(lang, m.Key, m.Args...)
}

// String returns the message in English.
func (m Message) String() string {
	return m.In(En)
}

// Has reports whether the catalogue holds key.
func Has(key Key) bool {
	_, ok := catalogue()[key]
	return ok
}
