package channel_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine/worker"
	"github.com/crmkit/crm/internal/channel"
)

// testCert is a certificate for 127.0.0.1 and localhost, made for the
// test, and a pool that trusts it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "crm test smtp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// smtpServer is a loopback SMTP server written for the tests: it offers
// STARTTLS (mode "starttls") or speaks TLS from the start ("tls"), AUTH
// PLAIN and/or LOGIN once encrypted, and keeps each session.
type smtpServer struct {
	t        *testing.T
	ln       net.Listener
	cert     tls.Certificate
	mode     string // starttls, tls or none
	mechs    string // offered AUTH mechanisms
	user     string // accepted credentials
	password string //
	rcptCode string // reply to RCPT TO, "250 ok" unless set
	dataCode string // reply after the message, "250 queued" unless set
	mu       sync.Mutex
	sessions []*session
	wg       sync.WaitGroup
}

type session struct {
	TLS      bool
	Commands []string // verbs in order (AUTH with its mechanism)
	AuthUser string
	AuthArg  string // AUTH PLAIN's initial response, as sent
	From, To string
	Data     string
}

func newSMTP(t *testing.T, mode, mechs string) (*smtpServer, *x509.CertPool) {
	t.Helper()
	cert, pool := testCert(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &smtpServer{t: t, ln: ln, cert: cert, mode: mode, mechs: mechs, user: "crm@example.com", password: "p@ss 密码"}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.serve(c) }()
		}
	}()
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s, pool
}

func (s *smtpServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *smtpServer) last() *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	require.NotEmpty(s.t, s.sessions)
	return s.sessions[len(s.sessions)-1]
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	ss := &session{}
	s.mu.Lock()
	s.sessions = append(s.sessions, ss)
	s.mu.Unlock()
	if s.mode == "tls" {
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{s.cert}})
		if tc.Handshake() != nil {
			return
		}
		c, ss.TLS = tc, true
	}
	r := bufio.NewReader(c)
	say := func(lines ...string) { _, _ = io.WriteString(c, strings.Join(lines, "\r\n")+"\r\n") }
	read := func() (string, bool) {
		line, err := r.ReadString('\n')
		return strings.TrimRight(line, "\r\n"), err == nil
	}
	say("220 test.local ESMTP ready")
	for {
		line, ok := read()
		if !ok {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		s.mu.Lock()
		if verb == "AUTH" {
			mech, _, _ := strings.Cut(arg, " ")
			ss.Commands = append(ss.Commands, "AUTH "+mech)
		} else {
			ss.Commands = append(ss.Commands, verb)
		}
		s.mu.Unlock()
		switch verb {
		case "EHLO":
			lines := []string{"250-test.local"}
			if s.mode == "starttls" && !ss.TLS {
				lines = append(lines, "250-STARTTLS")
			}
			if ss.TLS && s.mechs != "" {
				lines = append(lines, "250-AUTH "+s.mechs)
			}
			say(append(lines, "250 8BITMIME")...)
		case "STARTTLS":
			say("220 go ahead")
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{s.cert}})
			if tc.Handshake() != nil {
				return
			}
			c, ss.TLS = tc, true
			r = bufio.NewReader(c)
		case "AUTH":
			mech, initial, _ := strings.Cut(arg, " ")
			var user, pass string
			switch mech {
			case "PLAIN":
				ss.AuthArg = initial
				b, _ := base64.StdEncoding.DecodeString(initial)
				parts := strings.Split(string(b), "\x00")
				if len(parts) == 3 {
					user, pass = parts[1], parts[2]
				}
			case "LOGIN":
				say("334 " + base64.StdEncoding.EncodeToString([]byte("Username:")))
				l, _ := read()
				b, _ := base64.StdEncoding.DecodeString(l)
				user = string(b)
				say("334 " + base64.StdEncoding.EncodeToString([]byte("Password:")))
				l, _ = read()
				b, _ = base64.StdEncoding.DecodeString(l)
				pass = string(b)
			}
			if user == s.user && pass == s.password {
				ss.AuthUser = user
				say("235 2.7.0 authenticated")
			} else {
				say("535 5.7.8 authentication credentials invalid")
			}
		case "MAIL":
			ss.From, _, _ = strings.Cut(strings.TrimPrefix(arg, "FROM:<"), ">")
			say("250 ok")
		case "RCPT":
			ss.To, _, _ = strings.Cut(strings.TrimPrefix(arg, "TO:<"), ">")
			s.mu.Lock()
			code := s.rcptCode
			s.mu.Unlock()
			if code != "" {
				say(code)
			} else {
				say("250 ok")
			}
		case "DATA":
			say("354 end with .")
			// RFC 5321 4.5.2: a line of one "." ends the message; a line
			// starting with "." had one more added by the sender.
			var b strings.Builder
			for {
				l, ok := read()
				if !ok {
					return
				}
				if l == "." {
					break
				}
				b.WriteString(strings.TrimPrefix(l, ".") + "\r\n")
			}
			ss.Data = b.String()
			s.mu.Lock()
			code := s.dataCode
			s.mu.Unlock()
			if code != "" {
				say(code)
			} else {
				say("250 queued")
			}
		case "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func emailCfg(s *smtpServer, mode string) worker.ChannelConfig {
	return worker.ChannelConfig{Channel: worker.ChannelEmail, SMTPHost: "127.0.0.1", SMTPPort: s.port(), SMTPTLS: mode,
		SMTPUser: s.user, SMTPPassword: s.password, From: "crm@example.com", FromName: "销售 CRM", Language: "zh", AppURL: "https://crm.example.com"}
}

func tlsClient(pool *x509.CertPool) *channel.Client {
	return channel.New(channel.Config{AllowPrivate: true, RootCAs: pool, Now: func() time.Time { return fixedNow }, Hostname: "crm.test", Timeout: 5 * time.Second})
}

// parsed is a received e-mail, decoded.
type parsed struct {
	header      mail.Header
	subject     string
	from, to    *mail.Address
	text, html  string
	contentType string
}

func parseMail(t *testing.T, data string) parsed {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(data))
	require.NoError(t, err)
	dec := new(mime.WordDecoder)
	p := parsed{header: msg.Header}
	p.subject, err = dec.DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	tos, err := msg.Header.AddressList("To")
	require.NoError(t, err)
	p.to = tos[0]
	froms, err := msg.Header.AddressList("From")
	require.NoError(t, err)
	p.from = froms[0]
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	p.contentType = mt
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		assert.Equal(t, "base64", part.Header.Get("Content-Transfer-Encoding"))
		raw, err := io.ReadAll(part)
		require.NoError(t, err)
		for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\r\n") {
			assert.LessOrEqual(t, len(line), 76, "base64 lines are at most 76 characters")
		}
		body, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(raw), "\r\n", ""))
		require.NoError(t, err)
		switch part.Header.Get("Content-Type") {
		case "text/plain; charset=UTF-8":
			p.text = string(body)
		case "text/html; charset=UTF-8":
			p.html = string(body)
		default:
			t.Fatalf("unexpected part %q", part.Header.Get("Content-Type"))
		}
	}
	return p
}

func TestEmail_STARTTLSWithPlainAuth(t *testing.T) {
	t.Parallel()
	s, pool := newSMTP(t, "starttls", "PLAIN LOGIN")
	require.NoError(t, tlsClient(pool).Send(context.Background(), emailCfg(s, "starttls"), sample()))
	ss := s.last()
	assert.Equal(t, []string{"EHLO", "STARTTLS", "EHLO", "AUTH PLAIN", "MAIL", "RCPT", "DATA", "QUIT"}, ss.Commands)
	assert.True(t, ss.TLS)
	assert.Equal(t, "crm@example.com", ss.AuthUser)
	// RFC 4616: no authorization identity, NUL, user, NUL, password.
	assert.Equal(t, "AGNybUBleGFtcGxlLmNvbQBwQHNzIOWvhueggQ==", ss.AuthArg)
	assert.Equal(t, "crm@example.com", ss.From)
	assert.Equal(t, "wang@example.com", ss.To)

	m := parseMail(t, ss.Data)
	assert.Equal(t, "审批：报价单 Q-1 需要您审批", m.subject)
	assert.Equal(t, &mail.Address{Name: "销售 CRM", Address: "crm@example.com"}, m.from)
	assert.Equal(t, &mail.Address{Name: "王芳", Address: "wang@example.com"}, m.to)
	assert.Contains(t, m.header.Get("Subject"), "=?UTF-8?b?", "a Chinese subject is encoded (RFC 2047)")
	assert.Equal(t, "1.0", m.header.Get("MIME-Version"))
	assert.Equal(t, "<01jnote@crm.test>", m.header.Get("Message-ID"))
	assert.Equal(t, "Sun, 06 Dec 2026 08:30:00 +0000", m.header.Get("Date"))
	assert.Equal(t, "multipart/alternative", m.contentType)
	assert.Equal(t, "王芳，您好：\r\n\r\n报价单 Q-1 需要您审批\r\n\r\n查看记录：https://crm.example.com/o/deal/01jdeal\r\n\r\n——\r\n此邮件由 CRM 自动发送，请勿直接回复。\r\n", m.text)
	assert.Contains(t, m.html, `<a href="https://crm.example.com/o/deal/01jdeal">查看记录</a>`)
	for _, line := range strings.Split(ss.Data, "\r\n") {
		assert.LessOrEqual(t, len(line), 998, "no line longer than SMTP allows")
	}
}

func TestEmail_ImplicitTLSWithLoginAuthInBothLanguages(t *testing.T) {
	t.Parallel()
	s, pool := newSMTP(t, "tls", "LOGIN")
	cfg := emailCfg(s, "tls")
	cfg.Language = "both"
	n := sample()
	n.MessageEn = "Quote <Q-1> & co"
	require.NoError(t, tlsClient(pool).Send(context.Background(), cfg, n))
	ss := s.last()
	assert.Equal(t, []string{"EHLO", "AUTH LOGIN", "MAIL", "RCPT", "DATA", "QUIT"}, ss.Commands)
	assert.Equal(t, "crm@example.com", ss.AuthUser)
	m := parseMail(t, ss.Data)
	assert.Equal(t, "审批：报价单 Q-1 需要您审批 / Approval: Quote <Q-1> & co", m.subject)
	assert.Contains(t, m.text, "王芳，您好：")
	assert.Contains(t, m.text, "Hello 王芳,\r\n\r\nQuote <Q-1> & co\r\n")
	assert.Contains(t, m.html, "Quote &lt;Q-1&gt; &amp; co", "the HTML part escapes the text")
}

// TestEmail_LongChineseSubject: a subject in Chinese goes as RFC 2047
// encoded words of UTF-8 ("B" encoding), each at most 75 characters and
// ASCII only on the wire, and decodes to the text cut on a rune boundary.
func TestEmail_LongChineseSubject(t *testing.T) {
	t.Parallel()
	s, pool := newSMTP(t, "tls", "PLAIN")
	n := sample()
	n.MessageZh = strings.Repeat("审", 100)
	require.NoError(t, tlsClient(pool).Send(context.Background(), emailCfg(s, "tls"), n))
	m := parseMail(t, s.last().Data)
	raw := m.header.Get("Subject")
	words := strings.Fields(raw)
	assert.Greater(t, len(words), 1, "split into several encoded words")
	for _, w := range words {
		assert.LessOrEqual(t, len(w), 75, "RFC 2047: an encoded word is at most 75 characters")
		assert.True(t, strings.HasPrefix(w, "=?UTF-8?b?") && strings.HasSuffix(w, "?="), w)
	}
	for _, r := range raw {
		assert.Less(t, r, rune(128), "the header itself is ASCII")
	}
	// "审批：" then the first line cut to 90 bytes: 29 whole 审 and "…".
	assert.Equal(t, "审批："+strings.Repeat("审", 29)+"…", m.subject)
}

// TestEmail_DotLinesArriveWhole: lines of the note that are or start with
// "." arrive as written (the parts are base64, and the DATA stream is
// dot-stuffed), and nothing ends the message early.
func TestEmail_DotLinesArriveWhole(t *testing.T) {
	t.Parallel()
	s, pool := newSMTP(t, "starttls", "PLAIN")
	n := sample()
	n.MessageZh = ".\n..\n.隐藏\n结束"
	require.NoError(t, tlsClient(pool).Send(context.Background(), emailCfg(s, "starttls"), n))
	ss := s.last()
	assert.Equal(t, []string{"EHLO", "STARTTLS", "EHLO", "AUTH PLAIN", "MAIL", "RCPT", "DATA", "QUIT"}, ss.Commands)
	m := parseMail(t, ss.Data)
	assert.Contains(t, m.text, "\r\n.\r\n..\r\n.隐藏\r\n结束\r\n")
	assert.Equal(t, "审批：.", m.subject, "the subject carries the message's first line")
}

func TestEmail_Failures(t *testing.T) {
	t.Parallel()
	t.Run("wrong password is permanent", func(t *testing.T) {
		t.Parallel()
		s, pool := newSMTP(t, "starttls", "PLAIN")
		cfg := emailCfg(s, "starttls")
		cfg.SMTPPassword = "wrong"
		err := tlsClient(pool).Send(context.Background(), cfg, sample())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "535")
		assert.True(t, worker.IsPermanent(err))
	})
	t.Run("a 4xx reply is retried", func(t *testing.T) {
		t.Parallel()
		s, pool := newSMTP(t, "starttls", "PLAIN")
		s.mu.Lock()
		s.rcptCode = "450 4.2.0 mailbox busy"
		s.mu.Unlock()
		err := tlsClient(pool).Send(context.Background(), emailCfg(s, "starttls"), sample())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "450")
		assert.False(t, worker.IsPermanent(err))
	})
	t.Run("a 4xx reply to the message is retried", func(t *testing.T) {
		t.Parallel()
		s, pool := newSMTP(t, "tls", "PLAIN")
		s.mu.Lock()
		s.dataCode = "451 4.3.0 try again later"
		s.mu.Unlock()
		err := tlsClient(pool).Send(context.Background(), emailCfg(s, "tls"), sample())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "451")
		assert.False(t, worker.IsPermanent(err))
	})
	t.Run("a 5xx reply to the message is permanent", func(t *testing.T) {
		t.Parallel()
		s, pool := newSMTP(t, "tls", "PLAIN")
		s.mu.Lock()
		s.dataCode = "554 5.7.1 message refused"
		s.mu.Unlock()
		err := tlsClient(pool).Send(context.Background(), emailCfg(s, "tls"), sample())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "554")
		assert.True(t, worker.IsPermanent(err))
	})
	t.Run("an unknown mailbox is permanent", func(t *testing.T) {
		t.Parallel()
		s, pool := newSMTP(t, "starttls", "PLAIN")
		s.mu.Lock()
		s.rcptCode = "550 5.1.1 no such user"
		s.mu.Unlock()
		err := tlsClient(pool).Send(context.Background(), emailCfg(s, "starttls"), sample())
		require.Error(t, err)
		assert.True(t, worker.IsPermanent(err))
	})
	t.Run("no STARTTLS offered: nothing sent in clear", func(t *testing.T) {
		t.Parallel()
		s, pool := newSMTP(t, "none", "PLAIN")
		err := tlsClient(pool).Send(context.Background(), emailCfg(s, "starttls"), sample())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "does not offer STARTTLS")
		assert.True(t, worker.IsPermanent(err))
		assert.NotContains(t, s.last().Commands, "MAIL")
	})
	t.Run("an untrusted certificate is permanent", func(t *testing.T) {
		t.Parallel()
		s, _ := newSMTP(t, "tls", "PLAIN")
		err := tlsClient(x509.NewCertPool()).Send(context.Background(), emailCfg(s, "tls"), sample())
		require.Error(t, err)
		assert.True(t, worker.IsPermanent(err), err.Error())
	})
	t.Run("credentials never go unencrypted", func(t *testing.T) {
		t.Parallel()
		s, pool := newSMTP(t, "none", "PLAIN")
		cfg := emailCfg(s, "none")
		err := tlsClient(pool).Send(context.Background(), cfg, sample())
		require.Error(t, err)
		assert.True(t, worker.IsPermanent(err))
		assert.NotContains(t, s.last().Commands, "AUTH PLAIN")
	})
	t.Run("no credentials on a plain relay", func(t *testing.T) {
		t.Parallel()
		s, pool := newSMTP(t, "none", "")
		cfg := emailCfg(s, "none")
		cfg.SMTPUser, cfg.SMTPPassword = "", ""
		require.NoError(t, tlsClient(pool).Send(context.Background(), cfg, sample()))
		assert.Equal(t, []string{"EHLO", "MAIL", "RCPT", "DATA", "QUIT"}, s.last().Commands)
	})
	t.Run("a person without an e-mail address is permanent", func(t *testing.T) {
		t.Parallel()
		n := sample()
		n.To.Email = ""
		err := tlsClient(nil).Send(context.Background(), worker.ChannelConfig{Channel: worker.ChannelEmail, SMTPHost: "127.0.0.1", From: "a@b.c"}, n)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "王芳 has no e-mail address")
		assert.True(t, worker.IsPermanent(err))
	})
	t.Run("loopback is refused without AllowPrivate", func(t *testing.T) {
		t.Parallel()
		s, pool := newSMTP(t, "starttls", "PLAIN")
		err := channel.New(channel.Config{RootCAs: pool}).Send(context.Background(), emailCfg(s, "starttls"), sample())
		require.Error(t, err)
		assert.True(t, worker.IsPermanent(err))
		s.mu.Lock()
		assert.Empty(t, s.sessions)
		s.mu.Unlock()
	})
}

// TestEmail_EndlessReplyIsBounded: a server that answers without end
// fails the send once 1 MiB is read, instead of filling memory.
func TestEmail_EndlessReplyIsBounded(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		line := "220-" + strings.Repeat("x", 1000) + "\r\n"
		for range 3000 { // 3 MB of a greeting that never ends
			if _, err := io.WriteString(c, line); err != nil {
				return
			}
		}
	}()
	cfg := worker.ChannelConfig{Channel: worker.ChannelEmail, SMTPHost: "127.0.0.1", SMTPPort: ln.Addr().(*net.TCPAddr).Port, SMTPTLS: "none", From: "crm@example.com"}
	err = tlsClient(nil).Send(context.Background(), cfg, sample())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "more than 1 MiB")
}

func TestCompose_HeadersCannotBeInjected(t *testing.T) {
	t.Parallel()
	n := sample()
	n.To.Name = "Eve\r\nBcc: victim@example.com"
	n.MessageZh = "第一行\r\nBcc: x@example.com"
	cfg := worker.ChannelConfig{Channel: worker.ChannelEmail, From: "crm@example.com", FromName: "CRM\nX-Evil: 1", Language: "zh"}
	msg, err := channel.Compose(cfg, n, fixedNow, "h")
	require.NoError(t, err)
	m, err := mail.ReadMessage(strings.NewReader(string(msg)))
	require.NoError(t, err)
	assert.Empty(t, m.Header.Get("Bcc"))
	assert.Empty(t, m.Header.Get("X-Evil"))
	tos, err := m.Header.AddressList("To")
	require.NoError(t, err)
	assert.Equal(t, "wang@example.com", tos[0].Address)
}
