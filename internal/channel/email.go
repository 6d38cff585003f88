package channel

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"text/template"
	"time"
	"unicode"

	"github.com/crmkit/crm/engine/worker"
)

// E-mail goes over SMTP: implicit TLS ("tls", port 465 by default),
// STARTTLS ("starttls", port 587; refused when the server does not offer
// it, never downgraded) or a plain connection ("none", port 25, only
// without credentials: the engine refuses a user name with it, and the
// authenticators here refuse to run without TLS). Credentials go with
// AUTH PLAIN when the server offers it, else AUTH LOGIN. The message is
// MIME: multipart/alternative with a text/plain and a text/html part, both
// UTF-8 in base64; From, To and Subject encoded per RFC 2047 when not
// ASCII. Replies 4xx are retried, 5xx (a refused login, an unknown
// mailbox) and certificate failures are permanent.

// defaultPorts by TLS mode.
var defaultPorts = map[string]int{"tls": 465, "starttls": 587, "none": 25}

func (c *Client) sendEmail(ctx context.Context, cfg worker.ChannelConfig, n worker.Note) error {
	if n.To.Email == "" {
		return worker.Permanent(fmt.Errorf("e-mail: %s has no e-mail address", personName(n.To)))
	}
	to, err := mail.ParseAddress(n.To.Email)
	if err != nil || to.Address != n.To.Email {
		return worker.Permanent(fmt.Errorf("e-mail: %q is not an e-mail address", n.To.Email))
	}
	if cfg.SMTPHost == "" || cfg.From == "" {
		return worker.Permanent(errors.New("e-mail: the channel has no SMTP server or sender address"))
	}
	msg, err := Compose(cfg, n, c.cfg.Now(), c.cfg.Hostname)
	if err != nil {
		return worker.Permanent(fmt.Errorf("e-mail: %w", err))
	}
	port := cfg.SMTPPort
	if port == 0 {
		port = defaultPorts[cfg.SMTPTLS]
	}
	err = c.smtpSend(ctx, cfg, net.JoinHostPort(cfg.SMTPHost, strconv.Itoa(port)), to.Address, msg)
	if err != nil {
		return classifySMTP(fmt.Errorf("e-mail via %s:%d: %w", cfg.SMTPHost, port, err))
	}
	return nil
}

func (c *Client) smtpSend(ctx context.Context, cfg worker.ChannelConfig, addr, to string, msg []byte) error {
	raw, err := c.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer raw.Close()
	// A server that talks without end cannot fill our memory.
	var conn net.Conn = &boundedConn{Conn: raw, left: maxSMTPRead}
	deadline := time.Now().Add(c.cfg.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := conn.SetDeadline(deadline); err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	tlsConf := &tls.Config{ServerName: cfg.SMTPHost, RootCAs: c.cfg.RootCAs, MinVersion: tls.VersionTLS12}
	if cfg.SMTPTLS == "tls" {
		tc := tls.Client(conn, tlsConf)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fmt.Errorf("TLS: %w", err)
		}
		conn = tc
	}
	cl, err := smtp.NewClient(conn, cfg.SMTPHost)
	if err != nil {
		return err
	}
	defer cl.Close()
	if err := cl.Hello(c.cfg.Hostname); err != nil {
		return err
	}
	if cfg.SMTPTLS == "starttls" {
		if ok, _ := cl.Extension("STARTTLS"); !ok {
			return worker.Permanent(errors.New("the server does not offer STARTTLS: choose tls or another server"))
		}
		if err := cl.StartTLS(tlsConf); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if cfg.SMTPUser != "" {
		ok, mechs := cl.Extension("AUTH")
		if !ok {
			return worker.Permanent(errors.New("the server offers no AUTH: leave the user name empty or choose another server"))
		}
		var auth smtp.Auth
		switch offered := strings.Fields(strings.ToUpper(mechs)); {
		case contains(offered, "PLAIN"):
			auth = plainAuth{user: cfg.SMTPUser, password: cfg.SMTPPassword}
		case contains(offered, "LOGIN"):
			auth = loginAuth{user: cfg.SMTPUser, password: cfg.SMTPPassword}
		default:
			return worker.Permanent(fmt.Errorf("the server offers AUTH %s, and only PLAIN and LOGIN are supported", mechs))
		}
		if err := cl.Auth(auth); err != nil {
			return fmt.Errorf("AUTH: %w", err)
		}
	}
	if err := cl.Mail(cfg.From); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	if err := cl.Rcpt(to); err != nil {
		return fmt.Errorf("RCPT TO: %w", err)
	}
	w, err := cl.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	return cl.Quit()
}

// maxSMTPRead bounds what is read from an SMTP server in one session (its
// replies are a few lines each).
const maxSMTPRead = 1 << 20

// boundedConn fails reads once left bytes were read.
type boundedConn struct {
	net.Conn
	left int
}

func (b *boundedConn) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errors.New("the SMTP server sent more than 1 MiB of replies")
	}
	if len(p) > b.left {
		p = p[:b.left]
	}
	n, err := b.Conn.Read(p)
	b.left -= n
	return n, err
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// classifySMTP marks what another attempt cannot mend: a 5xx reply and a
// certificate the server's name or our roots do not vouch for.
func classifySMTP(err error) error {
	if worker.IsPermanent(err) {
		return err
	}
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return worker.Permanent(err)
	}
	var (
		verify  *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
	)
	if errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid) {
		return worker.Permanent(err)
	}
	return err
}

// plainAuth is AUTH PLAIN (RFC 4616), only over TLS.
type plainAuth struct{ user, password string }

func (a plainAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS {
		return "", nil, errors.New("refusing to send the password over an unencrypted connection")
	}
	return "PLAIN", []byte("\x00" + a.user + "\x00" + a.password), nil
}

func (a plainAuth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return nil, errors.New("unexpected challenge after AUTH PLAIN")
	}
	return nil, nil
}

// loginAuth is AUTH LOGIN (draft-murchison-sasl-login), only over TLS.
type loginAuth struct{ user, password string }

func (a loginAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS {
		return "", nil, errors.New("refusing to send the password over an unencrypted connection")
	}
	return "LOGIN", nil, nil
}

func (a loginAuth) Next(challenge []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	switch c := strings.ToLower(strings.TrimSpace(string(challenge))); {
	case strings.HasPrefix(c, "username"):
		return []byte(a.user), nil
	case strings.HasPrefix(c, "password"):
		return []byte(a.password), nil
	default:
		return nil, fmt.Errorf("unexpected AUTH LOGIN challenge %q", clip(c, 40))
	}
}

// mailView is what the e-mail templates see.
type mailView struct {
	Name    string
	Title   string
	Summary string
	Text    string
	Lines   []string
	Link    string
}

// The templates of e-mails, per language. The subject and text parts are
// text/template; the HTML part is html/template, which escapes the
// notification's text.
var (
	subjectTemplates = map[string]*template.Template{
		"zh": template.Must(template.New("zh").Parse(`{{.Title}}：{{.Summary}}`)),
		"en": template.Must(template.New("en").Parse(`{{.Title}}: {{.Summary}}`)),
	}
	textTemplates = map[string]*template.Template{
		"zh": template.Must(template.New("zh").Parse(`{{if .Name}}{{.Name}}，您好：{{else}}您好：{{end}}

{{.Text}}
{{if .Link}}
查看记录：{{.Link}}
{{end}}
——
此邮件由 CRM 自动发送，请勿直接回复。
`)),
		"en": template.Must(template.New("en").Parse(`{{if .Name}}Hello {{.Name}},{{else}}Hello,{{end}}

{{.Text}}
{{if .Link}}
Open the record: {{.Link}}
{{end}}
--
Sent automatically by the CRM; please do not reply to this e-mail.
`)),
	}
	htmlTemplates = map[string]*htmltemplate.Template{
		"zh": htmltemplate.Must(htmltemplate.New("zh").Parse(`<p>{{if .Name}}{{.Name}}，您好：{{else}}您好：{{end}}</p>
{{range .Lines}}<p>{{.}}</p>
{{end}}{{if .Link}}<p><a href="{{.Link}}">查看记录</a></p>
{{end}}<p style="color:#888">此邮件由 CRM 自动发送，请勿直接回复。</p>
`)),
		"en": htmltemplate.Must(htmltemplate.New("en").Parse(`<p>{{if .Name}}Hello {{.Name}},{{else}}Hello,{{end}}</p>
{{range .Lines}}<p>{{.}}</p>
{{end}}{{if .Link}}<p><a href="{{.Link}}">Open the record</a></p>
{{end}}<p style="color:#888">Sent automatically by the CRM; please do not reply to this e-mail.</p>
`)),
	}
)

// Compose builds the e-mail of a note (the headers and the MIME body, CRLF
// line ends) from the templates of the channel's language.
func Compose(cfg worker.ChannelConfig, n worker.Note, now time.Time, hostname string) ([]byte, error) {
	langs := []string{"zh"}
	switch cfg.Language {
	case "en":
		langs = []string{"en"}
	case "both":
		langs = []string{"zh", "en"}
	}
	zh, en := n.MessageZh, n.MessageEn
	if zh == "" {
		zh = en
	}
	if en == "" {
		en = zh
	}
	var subject []string
	var text, html bytes.Buffer
	for i, lang := range langs {
		msg := zh
		if lang == "en" {
			msg = en
		}
		v := mailView{Name: cleanName(n.To.Name), Title: kindLabel(n.Kind, lang == "en"), Text: msg, Link: link(cfg, n),
			Summary: clip(strings.TrimSpace(strings.SplitN(msg, "\n", 2)[0]), 90)}
		v.Lines = strings.Split(msg, "\n")
		var s bytes.Buffer
		if err := subjectTemplates[lang].Execute(&s, v); err != nil {
			return nil, fmt.Errorf("subject template %s: %w", lang, err)
		}
		subject = append(subject, s.String())
		if i > 0 {
			text.WriteString("\n\n")
			html.WriteString("<hr>\n")
		}
		if err := textTemplates[lang].Execute(&text, v); err != nil {
			return nil, fmt.Errorf("text template %s: %w", lang, err)
		}
		if err := htmlTemplates[lang].Execute(&html, v); err != nil {
			return nil, fmt.Errorf("html template %s: %w", lang, err)
		}
	}
	var out bytes.Buffer
	header := func(k, v string) { out.WriteString(k + ": " + v + "\r\n") }
	header("From", (&mail.Address{Name: cleanName(cfg.FromName), Address: cfg.From}).String())
	header("To", (&mail.Address{Name: cleanName(n.To.Name), Address: n.To.Email}).String())
	header("Subject", mime.BEncoding.Encode("UTF-8", clip(cleanName(strings.Join(subject, " / ")), 200)))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", "<"+cleanID(n.ID)+"@"+cleanID(hostname)+">")
	header("MIME-Version", "1.0")
	header("Auto-Submitted", "auto-generated")
	mw := multipart.NewWriter(&out)
	header("Content-Type", `multipart/alternative; boundary="`+mw.Boundary()+`"`)
	out.WriteString("\r\n")
	for _, part := range []struct {
		kind string
		body []byte
	}{{"text/plain; charset=UTF-8", crlf(text.Bytes())}, {"text/html; charset=UTF-8", crlf(html.Bytes())}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {part.kind}, "Content-Transfer-Encoding": {"base64"}})
		if err != nil {
			return nil, err
		}
		enc := base64.StdEncoding.EncodeToString(part.body)
		for len(enc) > 76 {
			_, _ = w.Write([]byte(enc[:76] + "\r\n"))
			enc = enc[76:]
		}
		_, _ = w.Write([]byte(enc + "\r\n"))
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// cleanName drops control characters (a line break in a header would
// start another header).
func cleanName(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

// cleanID keeps what a Message-ID's parts may hold.
func cleanID(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-._", r)) {
			return r
		}
		return -1
	}, s)
}

func crlf(b []byte) []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
}

func personName(p worker.Person) string {
	if p.Name != "" {
		return p.Name
	}
	if p.User != "" {
		return "user " + p.User
	}
	return "the recipient"
}
