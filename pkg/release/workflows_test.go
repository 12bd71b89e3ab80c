package release

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// workflow is the part of a GitHub Actions workflow these tests read.
type workflow struct {
	On struct {
		Push struct {
			Branches []string `yaml:"branches"`
			Tags     []string `yaml:"tags"`
		} `yaml:"push"`
	} `yaml:"on"`
	Jobs map[string]struct {
		Steps []struct {
			Name string            `yaml:"name"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func readWorkflow(t *testing.T, name string) (workflow, []string) {
	t.Helper()
	raw, err := os.ReadFile(repositoryRoot + "/.github/workflows/" + name)
	require.NoError(t, err)
	var w workflow
	require.NoError(t, yaml.Unmarshal(raw, &w), name)
	var commands []string
	for _, job := range w.Jobs {
		for _, step := range job.Steps {
			for _, line := range strings.Split(step.Run, "\n") {
				if line = strings.TrimSpace(line); line != "" {
					commands = append(commands, line)
				}
			}
		}
	}
	return w, commands
}

// ciRunCommand is the test command .ci/run ends with: its last line that is
// neither blank, a comment nor shell structure.
func ciRunCommand(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(repositoryRoot + "/.ci/run")
	require.NoError(t, err)
	command := ""
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "go run ") {
			command = line
		}
	}
	require.NotEmpty(t, command, ".ci/run runs a go run command")
	return command
}

func TestCIWorkflowRunsTheSameCommandAsCIRun(t *testing.T) {
	want := ciRunCommand(t)
	assert.Equal(t, "go run github.com/magefile/mage -v check", want, "the README's test command")
	w, commands := readWorkflow(t, "ci.yml")
	assert.Contains(t, commands, want)
	assert.Contains(t, w.On.Push.Branches, "main")

	uses := map[string]map[string]string{}
	for _, job := range w.Jobs {
		for _, step := range job.Steps {
			if step.Uses != "" {
				uses[strings.Split(step.Uses, "@")[0]] = step.With
			}
		}
	}
	assert.Equal(t, "1.26", uses["actions/setup-go"]["go-version"], "go.mod's Go")
	assert.Equal(t, "20", uses["actions/setup-node"]["node-version"], ".nvmrc's Node")
	assert.Contains(t, strings.Join(commands, "\n"), "apt-get install -y -qq postgresql", "the tests need PostgreSQL's server binaries")
}

func TestReleaseWorkflowBuildsEveryReleaseFile(t *testing.T) {
	w, commands := readWorkflow(t, "release.yml")
	assert.Equal(t, []string{"v*"}, w.On.Push.Tags)
	all := strings.Join(commands, "\n")
	for _, want := range []string{ciRunCommand(t), "go run github.com/magefile/mage -v package", "go run github.com/magefile/mage -v storeRelease"} {
		assert.Contains(t, commands, want)
	}
	assert.Contains(t, all, `require('./package.json').version`, "the tag must match the version")

	var files string
	for _, job := range w.Jobs {
		for _, step := range job.Steps {
			if strings.HasPrefix(step.Uses, "softprops/action-gh-release@") {
				files = step.With["files"]
				assert.Regexp(t, `@v\d+$`, step.Uses, "actions are pinned by tag")
			}
		}
	}
	for _, want := range []string{".zip", ".zip.sha1", ".zip.sha256", "chatbot-store-*"} {
		assert.Contains(t, files, want)
	}
}
