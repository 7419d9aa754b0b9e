package generator_test

import (
	"fmt"
	"strings"
)

// splitScript cuts a rendered script into its statements: text between
// semicolons that stand outside quotes, back-quoted names and comments.
// Comment lines and blank space between statements are dropped. It is a
// deliberately independent reader of the generator's output, so that a value
// that escapes its quotes shows up as a changed or extra statement.
func splitScript(sql string) ([]string, error) {
	var stmts []string
	var cur strings.Builder
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch {
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			end := strings.IndexByte(sql[i:], '\n')
			if end < 0 {
				end = len(sql) - i
			}
			if strings.TrimSpace(cur.String()) != "" {
				cur.WriteString(sql[i : i+end])
			}
			i += end - 1
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for ; j < len(sql); j++ {
				if sql[j] == '\\' && c != '`' {
					j++
					continue
				}
				if sql[j] == c {
					if c == '`' && j+1 < len(sql) && sql[j+1] == '`' {
						j++
						continue
					}
					break
				}
			}
			if j >= len(sql) {
				return nil, fmt.Errorf("unterminated %c at offset %d", c, i)
			}
			cur.WriteString(sql[i : j+1])
			i = j
		case c == ';':
			stmts = append(stmts, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	if rest := strings.TrimSpace(cur.String()); rest != "" {
		return nil, fmt.Errorf("text after the last statement: %q", rest)
	}
	return stmts, nil
}
