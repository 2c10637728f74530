"""Run a plan (schema/compiled/plan.py): the same resolvers, DataLoaders, SQL, permission classes and field
extensions as graphql-core calls (each field's `resolve` is strawberry's own chain, or a `@direct` resolver
of schema/fast.py), building the response dict directly.

The executor is graphql-core's `Executor` (strawberry's subclass, so resolvers get the same info object)
with `execute_operation` replaced when policy.py says to compile. Everything that decides what a client
sees is graphql-core's own code, called from here: variable coercion (done when the executor is built),
field collection (at compile time), argument coercion, error location (`handle_field_error`), null
propagation to the nearest nullable parent (`CollectedErrors`), leaf serialisation
(`complete_leaf_value`), abstract types' runtime type checks (`ensure_valid_runtime_type`). What is saved
is the per-request, per-object, per-field dispatch: collecting subfields, looking up definitions,
coercing constant arguments, building a path and an info object for fields that take neither (plain
attribute reads and `__typename`), the is_non_null/is_list/is_leaf chain per value.

The awaits have graphql-core's shape (one coroutine per awaitable field or item, gathered in document
order with `gather_with_cancel`), so DataLoaders batch the same keys in the same ticks and errors arrive in
the same order. Values graphql-core would treat specially (an async iterable for a list, an awaitable
`resolve_type` or `is_type_of`) are completed by graphql-core's own `complete_value` for that subtree."""

from __future__ import annotations

from typing import Any, cast

from graphql import GraphQLError, GraphQLResolveInfo
from graphql.execution.executor import invalid_return_type_error
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined, gather_with_cancel, is_iterable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.compiled import policy, projection
from schema.compiled.plan import (
    ABSTRACT,
    LEAF,
    LIST,
    NON_NULL,
    OBJECT,
    Compiler,
    Completion,
    FieldPlan,
    ObjectPlan,
    Plan,
    PlanCache,
    Unsupported,
    compile_operation,
    source_hash,
)

Info = GraphQLResolveInfo[Any]

PLANS = PlanCache()


class CompiledExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor that runs a compiled plan when policy.py allows one."""

    def execute_operation(self, serially: bool | None = None) -> Any:
        plan, reason = self._plan()
        execution = policy.CURRENT.get()
        if execution is not None:
            execution.compiled = plan is not None
            execution.fallback = reason
        if plan is None or serially:
            return super().execute_operation(serially)
        return self._execute_plan(plan)

    # -- choosing -------------------------------------------------------------------------------------

    def _plan(self) -> tuple[Plan | None, str | None]:
        if self.middleware_manager is not None and self.middleware_manager.middlewares:
            return None, "schema middleware"
        source = self.operation.loc.source.body if self.operation.loc is not None else None
        if source is None:
            return None, "no document text"
        digest = source_hash(source)
        reason = policy.refusal(digest)
        if reason is not None:
            return None, reason
        key = PLANS.key(digest, self.operation, self.fragment_definitions, self.variable_values.coerced)
        key = (id(self.schema), *key)
        found = PLANS.get(key)
        if isinstance(found, Plan) and found.schema is not self.schema:
            found = None  # another schema reusing a collected one's id
        if found is None:
            compiler = self._compiler()
            try:
                found = compile_operation(compiler)
            except Unsupported as exc:
                found = str(exc)
            PLANS.put(key, found)
        if isinstance(found, str):
            return None, found
        return found, None

    def _compiler(self) -> Compiler:
        return Compiler(
            self.schema, self.fragments, self.variable_values, self.operation, self.hide_suggestions
        )

    # -- running --------------------------------------------------------------------------------------

    def _execute_plan(self, plan: Plan) -> Any:
        abort_signal = self.abort_signal
        if abort_signal is not None and abort_signal.aborted:
            self.run_async_work_finished_hook()
            raise self.abort_error()
        try:
            result = self._execute_fields(plan.root, self.root_value, None)
            if self.is_awaitable(result):

                async def await_result() -> Any:
                    try:
                        data = await result
                    except GraphQLError as error:
                        self.collected_errors.add(error, None)
                        return self.build_response(None)
                    except Exception:
                        await self.cancel_incremental_work()
                        self.run_async_work_finished_hook()
                        raise
                    return self.build_response(data)

                if abort_signal is None:
                    return await_result()
                return self.with_aborted_execution_error(await_result())
            data = cast(dict[str, Any], result)
        except GraphQLError as error:
            self.collected_errors.add(error, None)
            return self.finish(self.build_response(None))
        return self.finish(self.build_response(data))

    def _execute_fields(
        self, plan: ObjectPlan, source: Any, path: Path | None, projected: dict[str, Any] | None = None
    ) -> Any:
        """The fields of `plan` on `source`; those in `projected` are already complete (projection.py)."""
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        parent_name = plan.type.name
        try:
            for field in plan.fields:
                if projected is not None and field.key in projected:
                    results[field.key] = projected[field.key]
                    continue
                if field.typename:
                    results[field.key] = parent_name
                    continue
                if field.fast_leaf:
                    # What _execute_field and _complete do for a plain attribute read of a leaf, inline;
                    # the path is built only for an error.
                    try:
                        value = field.resolve(source, None)
                        if not is_awaitable(value):
                            if isinstance(value, Exception):
                                raise value
                            if value is None or value is Undefined:
                                if field.non_null:
                                    raise TypeError(field.null_message)
                                results[field.key] = None
                            else:
                                results[field.key] = self.complete_leaf_value(cast(Any, field.leaf), value)
                            continue
                    except Exception as raw_error:
                        field_path = Path(path, field.key, parent_name)
                        self.handle_field_error(raw_error, field.return_type, field.details, field_path)
                        results[field.key] = None
                        continue
                    result = self._complete_awaitable(field, None, Path(path, field.key, parent_name), value)
                    results[field.key] = result
                    awaitable_fields.append(field.key)
                    continue
                result = self._execute_field(field, source, Path(path, field.key, parent_name))
                results[field.key] = result
                if is_awaitable(result):
                    awaitable_fields.append(field.key)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[key] for key in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                key = awaitable_fields[0]
                results[key] = await results[key]
            else:
                awaited = await gather_with_cancel(*(results[key] for key in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def _info(self, field: FieldPlan, path: Path) -> Info:
        return self.build_resolve_info(field.definition, field.nodes, field.parent, path)

    def _execute_field(self, field: FieldPlan, source: Any, path: Path) -> Any:
        info: Info | None = None
        try:
            if field.default:
                result = field.resolve(source, None)
            else:
                info = self._info(field, path)
                if field.projector is not None:
                    projection.promise(self.context_value, path, field.projector)
                args = field.args
                if args is None:
                    first = field.details[0]
                    args = get_argument_values(
                        field.definition,
                        first.node,
                        self.variable_values,
                        first.fragment_variable_values,
                        self.hide_suggestions,
                    )
                result = field.resolve(source, info, **args)
            if self.is_awaitable(result):
                return self._complete_awaitable(field, info, path, result)
            completed = self._complete(field.completion, field, info, path, result)
            if self.is_awaitable(completed):

                async def await_completed() -> Any:
                    try:
                        return await completed
                    except Exception as raw_error:
                        self.handle_field_error(raw_error, field.return_type, field.details, path)
                        return None

                return await_completed()
        except Exception as raw_error:
            self.handle_field_error(raw_error, field.return_type, field.details, path)
            return None
        return completed

    async def _complete_awaitable(self, field: FieldPlan, info: Info | None, path: Path, result: Any) -> Any:
        try:
            resolved = await (result if self.abort_signal is None else self.with_abort_signal(result))
            completed = self._complete(field.completion, field, info, path, resolved)
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, field.return_type, field.details, path)
            completed = None
        return completed

    def _complete(
        self,
        completion: Completion,
        field: FieldPlan,
        info: Info | None,
        path: Path,
        result: Any,
    ) -> Any:
        if isinstance(result, Exception):
            raise result
        kind = completion.kind
        if kind == NON_NULL:
            completed = self._complete(cast(Completion, completion.inner), field, info, path, result)
            if completed is None:
                raise TypeError(field.null_message)
            return completed
        if result is None or result is Undefined:
            return None
        if kind == LEAF:
            return self.complete_leaf_value(completion.leaf, result)  # type: ignore[arg-type]
        if kind == OBJECT:
            plan = cast(ObjectPlan, completion.object)
            is_type_of = plan.is_type_of
            if is_type_of is not None:
                matches = is_type_of(
                    result, self._info_for(field, info, path) if plan.is_type_of_needs_info else None
                )
                if self.is_awaitable(matches):
                    return self._graphql_core(completion, field, info, path, result)
                if not matches:
                    raise invalid_return_type_error(plan.type, result, field.details)
            projector = projection.of(plan)
            if projector is not None:
                projected = projector(result, self.context_value)
                if projected is not projection.MISSING:
                    execution = policy.CURRENT.get()
                    if execution is not None:
                        execution.projected += 1
                    return self._execute_fields(plan, result, path, projected)
            return self._execute_fields(plan, result, path)
        if kind == LIST:
            return self._complete_list(completion, field, info, path, result)
        if kind == ABSTRACT:
            return self._complete_abstract(completion, field, info, path, result)
        raise TypeError(f"Cannot complete value of unexpected output type: '{completion.type}'.")

    def _info_for(self, field: FieldPlan, info: Info | None, path: Path) -> Info:
        # graphql-core passes the field's info (whose path is the field's) to is_type_of, resolve_type and
        # list completion, also for list items.
        return info if info is not None else self._info(field, _field_path(path))

    def _graphql_core(
        self,
        completion: Completion,
        field: FieldPlan,
        info: Info | None,
        path: Path,
        result: Any,
    ) -> Any:
        return self.complete_value(
            completion.type, field.details, self._info_for(field, info, path), path, result, None
        )

    def _complete_list(
        self,
        completion: Completion,
        field: FieldPlan,
        info: Info | None,
        path: Path,
        result: Any,
    ) -> Any:
        if self.is_async_iterable(result) or not isinstance(result, list | tuple):
            if self.is_async_iterable(result) or is_iterable(result):
                return self._graphql_core(completion, field, info, path, result)
            raise GraphQLError(
                f"Expected Iterable, but did not find one for field '{field.parent.name}.{field.name}'."
            )
        item_completion = cast(Completion, completion.inner)
        is_awaitable = self.is_awaitable
        completed_results: list[Any] = []
        append = completed_results.append
        awaitable_indices: list[int] = []
        item_type = cast(Any, completion.type).of_type
        try:
            for index, item in enumerate(result):
                item_path = path.add_key(index, None)
                if is_awaitable(item):
                    append(
                        self._complete_awaitable_item(
                            item_completion, field, info, item_path, item, item_type
                        )
                    )
                    awaitable_indices.append(index)
                    continue
                try:
                    completed = self._complete(item_completion, field, info, item_path, item)
                    if is_awaitable(completed):
                        append(self._await_item(completed, field, item_path, item_type))
                        awaitable_indices.append(index)
                        continue
                    append(completed)
                except Exception as raw_error:
                    self.handle_field_error(raw_error, item_type, field.details, item_path)
                    append(None)
        except Exception:
            if awaitable_indices:
                self.settle_in_background([completed_results[i] for i in awaitable_indices])
            raise
        if not awaitable_indices:
            return completed_results

        async def get_completed_results() -> list[Any]:
            if len(awaitable_indices) == 1:
                index = awaitable_indices[0]
                completed_results[index] = await completed_results[index]
            else:
                awaited = await gather_with_cancel(*(completed_results[i] for i in awaitable_indices))
                for index, value in zip(awaitable_indices, awaited, strict=True):
                    completed_results[index] = value
            return completed_results

        return get_completed_results()

    async def _await_item(self, completed: Any, field: FieldPlan, item_path: Path, item_type: Any) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, item_type, field.details, item_path)
            return None

    async def _complete_awaitable_item(
        self,
        completion: Completion,
        field: FieldPlan,
        info: Info | None,
        item_path: Path,
        item: Any,
        item_type: Any,
    ) -> Any:
        try:
            resolved = await (item if self.abort_signal is None else self.with_abort_signal(item))
            completed = self._complete(completion, field, info, item_path, resolved)
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, item_type, field.details, item_path)
            return None
        return completed

    def _complete_abstract(
        self,
        completion: Completion,
        field: FieldPlan,
        info: Info | None,
        path: Path,
        result: Any,
    ) -> Any:
        abstract = completion.abstract
        assert abstract is not None
        field_info = self._info_for(field, info, path)
        resolve_type = abstract.resolve_type or self.type_resolver
        runtime_name = resolve_type(result, field_info, abstract)
        if self.is_awaitable(runtime_name):
            # graphql-core's own completion for this value (it calls resolve_type again: only ever reached by a
            # resolve_type that is a coroutine, which ours are not).
            cast(Any, runtime_name).close()
            return self._graphql_core(completion, field, info, path, result)
        runtime_type = self.ensure_valid_runtime_type(
            runtime_name, abstract, field.details, field_info, result
        )
        plan = completion.by_type.get(runtime_type.name)
        if plan is None:
            plan = self._compiler().object_plan(runtime_type, cast(Any, completion.details))
            completion.by_type[runtime_type.name] = plan
        is_type_of = plan.is_type_of
        if is_type_of is not None:
            matches = is_type_of(result, field_info)
            if self.is_awaitable(matches):
                return self.complete_object_value(runtime_type, field.details, field_info, path, result, None)
            if not matches:
                raise invalid_return_type_error(runtime_type, result, field.details)
        return self._execute_fields(plan, result, path)


def _field_path(path: Path) -> Path:
    """The path of the field a list item belongs to (graphql-core's info for items is the field's)."""
    while isinstance(path.key, int) and path.prev is not None:
        path = path.prev
    return path
