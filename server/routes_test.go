package server

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// routeMethods are the methods of echo.Echo, echo.Group and routeGroup that
// add a route or a group; no other type in this package has them.
var routeMethods = map[string]bool{
	"GET": true, "POST": true, "PUT": true, "DELETE": true, "PATCH": true,
	"HEAD": true, "OPTIONS": true, "CONNECT": true, "TRACE": true,
	"Any": true, "Match": true, "Group": true, "RouteNotFound": true,
}

// routeMethodsOnEcho are route-adding methods whose names other types share
// (url.Values.Add, sync.WaitGroup.Add, echo.Context.File, the ui.Static
// file system): a registration only when called on the echo instance or a
// route group.
var routeMethodsOnEcho = map[string]bool{"Add": true, "add": true, "File": true, "FileFS": true, "Static": true, "StaticFS": true}

// TestRoutesOnlyInRoutesGo keeps server/ as its package comment says:
// every route is registered in routes.go, in registerRoutes (the one list,
// grouped by access); no other file adds a route, makes a route group or
// takes one.
func TestRoutesOnlyInRoutesGo(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			// The one list, and routeGroup's own methods (the mechanism).
			if name == "routes.go" && (fn.Name.Name == "registerRoutes" || receiverType(fn) == "routeGroup") {
				continue
			}
			for _, p := range fn.Type.Params.List {
				if typeName(p.Type) == "routeGroup" {
					t.Errorf("%s: %s takes a routeGroup: add its routes to registerRoutes in routes.go", fset.Position(p.Pos()), fn.Name.Name)
				}
			}
			groups := echoNames(fn)
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				m := sel.Sel.Name
				switch {
				case routeMethods[m], routeMethodsOnEcho[m] && isEchoOrGroup(sel.X, groups):
					t.Errorf("%s: %s calls %s.%s: every route is registered in routes.go's registerRoutes", fset.Position(call.Pos()), fn.Name.Name, exprString(sel.X), m)
				case m == "group" && exprString(sel.X) == "s":
					t.Errorf("%s: %s makes a route group: every route is registered in routes.go's registerRoutes", fset.Position(call.Pos()), fn.Name.Name)
				}
				return true
			})
		}
	}
	if checked < 50 {
		t.Fatalf("checked %d files: not run in the server folder?", checked)
	}
}

// isEchoOrGroup: x is the echo instance (….echo) or a name the function
// declared as one or as a route group.
func isEchoOrGroup(x ast.Expr, names map[string]bool) bool {
	switch x := x.(type) {
	case *ast.SelectorExpr:
		return x.Sel.Name == "echo"
	case *ast.Ident:
		return names[x.Name]
	}
	return false
}

// echoNames are the parameters and variables of fn typed *echo.Echo,
// *echo.Group or routeGroup, or assigned from echo.New, s.group or Group.
func echoNames(fn *ast.FuncDecl) map[string]bool {
	names := map[string]bool{}
	isEchoType := func(e ast.Expr) bool {
		switch typeName(e) {
		case "echo.Echo", "echo.Group", "routeGroup":
			return true
		}
		return false
	}
	for _, p := range fn.Type.Params.List {
		if isEchoType(p.Type) {
			for _, n := range p.Names {
				names[n.Name] = true
			}
		}
	}
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			if n.Type != nil && isEchoType(n.Type) {
				for _, id := range n.Names {
					names[id.Name] = true
				}
			}
		case *ast.AssignStmt:
			for i, rhs := range n.Rhs {
				call, ok := rhs.(*ast.CallExpr)
				if !ok || i >= len(n.Lhs) {
					continue
				}
				switch s := exprString(call.Fun); {
				case s == "echo.New", strings.HasSuffix(s, ".group"), strings.HasSuffix(s, ".Group"):
					if id, ok := n.Lhs[i].(*ast.Ident); ok {
						names[id.Name] = true
					}
				}
			}
		}
		return true
	})
	return names
}

func receiverType(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return ""
	}
	return typeName(fn.Recv.List[0].Type)
}

// typeName is a type expression without its pointer star.
func typeName(e ast.Expr) string {
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	return exprString(e)
}

func exprString(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return exprString(e.X) + "." + e.Sel.Name
	case *ast.CallExpr:
		return exprString(e.Fun) + "(…)"
	}
	return "?"
}
