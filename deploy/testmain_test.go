package deploy_test

import (
	"testing"

	"github.com/newshound/newshound/internal/testmain"
)

func TestMain(m *testing.M) { testmain.Main(m) }
