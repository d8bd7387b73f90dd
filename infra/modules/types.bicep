// Shared user-defined types, in the shape Azure Verified Modules use for role assignments.

@export()
@description('A role assignment on the resource a module creates. The module scopes it to that one resource.')
type roleAssignmentType = {
  @description('Required. GUID of the built-in role definition (not the full resource id).')
  roleDefinitionId: string

  @description('Required. Object id of the principal that receives the role.')
  principalId: string

  @description('Required. Kind of principal; stated so ARM does not have to look it up (and cannot race a new identity).')
  principalType: ('ServicePrincipal' | 'Group' | 'User')

  @description('Required. Why the principal needs the role; stored on the assignment.')
  description: string
}
