{#-
    connected_components(nodes_sql, edges_sql): the connected components of a graph, by
    label propagation with pointer jumping, iterated until no label changes.

    nodes_sql selects (node_key, seniority): seniority is a unique integer rank, lowest
    first; edges_sql selects (node_key_a, node_key_b). Returns the name of a table of
    (node_key, label) whose label is the lowest seniority in the node's component, for
    every node that has an edge (a node without one is its own component).

    Each round, every node takes the smallest label among itself and its neighbours,
    then jumps to its label's own label (pointer jumping), which halves the remaining
    distance to the component's minimum; identity components settle in a handful of
    rounds even at a million records. Every round is one CREATE TABLE AS on integer
    keys, so it runs on any engine. The loop stops at the first round that changes no
    label and fails loudly if var('identity_max_label_rounds') rounds were not enough.

    The rounds run through run_query while dbt executes the model (run or build). When
    dbt only renders SQL (compile, docs, the linter) nothing is executed and the name is
    still returned, so the model compiles to the SQL it will run. The calling model
    drops the work tables in a post-hook: connected_components_cleanup().
-#}
{% macro connected_components(nodes_sql, edges_sql) -%}
    {%- set nodes = _cc_relation('nodes') -%}
    {%- set edges = _cc_relation('edges') -%}
    {%- set result = _cc_relation('labels') -%}
    {%- if execute and flags.WHICH in ('run', 'build') -%}
        {%- set max_rounds = var('identity_max_label_rounds', 64) | int -%}
        {%- do adapter.create_schema(result) -%}
        {%- do connected_components_cleanup() -%}
        {%- do run_query(create_table_as(False, nodes, nodes_sql)) -%}
        {%- do run_query(create_table_as(False, edges, _cc_edges_sql(nodes, edges_sql))) -%}
        {%- do run_query(create_table_as(False, _cc_relation('round_0'), "
            select distinct src as node, src as label from " ~ edges)) -%}
        {%- set state = namespace(round=0, converged=false) -%}
        {%- for i in range(1, max_rounds + 1) if not state.converged -%}
            {#- two work tables, ping-pong: round i reads (i - 1) % 2, writes i % 2 -#}
            {%- set previous = _cc_relation('round_' ~ ((i - 1) % 2)) -%}
            {%- set current = _cc_relation('round_' ~ (i % 2)) -%}
            {%- do adapter.drop_relation(current) -%}
            {%- do run_query(create_table_as(False, current,
                _cc_round_sql(previous, edges))) -%}
            {%- set changed = run_query(
                "select count(*) from " ~ current ~ " as cur inner join " ~ previous
                ~ " as prev on cur.node = prev.node where cur.label <> prev.label"
            ).columns[0].values()[0] -%}
            {%- set state.round = i -%}
            {%- set state.converged = (changed | int) == 0 -%}
        {%- endfor -%}
        {%- if not state.converged -%}
            {%- do exceptions.raise_compiler_error(
                "connected_components: labels still changing after " ~ max_rounds
                ~ " rounds; raise var identity_max_label_rounds") -%}
        {%- endif -%}
        {%- do run_query(create_table_as(False, result, "
            select nodes.node_key, labels.label
            from " ~ _cc_relation('round_' ~ (state.round % 2)) ~ " as labels
            inner join " ~ nodes ~ " as nodes on labels.node = nodes.seniority")) -%}
        {%- do adapter.drop_relation(_cc_relation('round_0')) -%}
        {%- do adapter.drop_relation(_cc_relation('round_1')) -%}
        {%- do log("connected_components: " ~ this.identifier ~ " stable after "
            ~ state.round ~ " rounds", info=true) -%}
    {%- endif -%}
    {{- return(result) -}}
{%- endmacro %}

{#- Edges in both directions as integer seniorities (joins on integers are cheap). -#}
{% macro _cc_edges_sql(nodes, edges_sql) -%}
    with

    edge_keys as (
        {{ edges_sql }}
    ),

    numbered as (

        select
            node_a.seniority as src,
            node_b.seniority as dst
        from edge_keys
        inner join {{ nodes }} as node_a
            on edge_keys.node_key_a = node_a.node_key
        inner join {{ nodes }} as node_b
            on edge_keys.node_key_b = node_b.node_key

    )

    select src, dst from numbered
    union
    select dst as src, src as dst from numbered
{%- endmacro %}

{#- One round: take the smallest neighbouring label, then jump to that label's label. -#}
{% macro _cc_round_sql(previous, edges) -%}
    with

    neighbour_min as (

        select
            edges.src as node,
            min(labels.label) as label
        from {{ edges }} as edges
        inner join {{ previous }} as labels
            on edges.dst = labels.node
        group by edges.src

    ),

    propagated as (

        select
            labels.node,
            case
                when neighbour_min.label < labels.label then neighbour_min.label
                else labels.label
            end as label
        from {{ previous }} as labels
        inner join neighbour_min
            on labels.node = neighbour_min.node

    )

    select
        propagated.node,
        case
            when pointed.label < propagated.label then pointed.label
            else propagated.label
        end as label
    from propagated
    left join propagated as pointed
        on propagated.label = pointed.node
{%- endmacro %}

{% macro _cc_relation(suffix) -%}
    {{- return(api.Relation.create(
        database=this.database, schema=this.schema,
        identifier=this.identifier ~ '__cc_' ~ suffix, type='table')) -}}
{%- endmacro %}

{#- Drop every work table of connected_components (a post-hook of the calling model,
    and a first step, so a crashed run leaves nothing that confuses the next one). -#}
{% macro connected_components_cleanup() -%}
    {%- if execute -%}
        {%- for suffix in ['nodes', 'edges', 'labels', 'round_0', 'round_1'] -%}
            {%- do adapter.drop_relation(_cc_relation(suffix)) -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return('') -}}
{%- endmacro %}
